using System.IO.Compression;
using System.Text.Json;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// The release as one <c>release.jsonl</c>: a line per item in manifest order (split, then item id), each
/// {item_id, split, content_hash, data, answers, confidence, source, from}, and for a synthetic item
/// synthetic: {generator, class, seed}. One file with a "split" member rather than a
/// file per split, so the line order is the manifest's and a reader filters by split. The per-field members hold the
/// schema's fields that have a final answer, in schema order: a field left out was tied or unanswered.
/// </summary>
public sealed class JsonlReleaseWriter : IReleaseFormatWriter
{
    public const string FileName = "release.jsonl";

    public ReleaseFormat Format => ReleaseFormat.Jsonl;

    /// <summary>Every schema fits: values are written in their stored form.</summary>
    public string? CannotWrite(LabelSchema schema) => null;

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = context.Schema.Fields;
        await using var stream = await ReleaseZip.Create(zip, FileName).OpenAsync(ct);
        await using var output = new JsonLinesOutput(stream);
        var json = output.Json;
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            json.WriteStartObject();
            json.WriteNumber("item_id", entry.ItemId);
            json.WriteString("split", entry.Split);
            json.WriteString("content_hash", entry.ContentHash);
            json.WriteStartObject("data");
            foreach (var (key, value) in entry.Data)
            {
                json.WritePropertyName(key);
                value.WriteTo(json);
            }
            json.WriteEndObject();
            json.WriteStartObject("answers");
            foreach (var field in fields)
            {
                if (entry.Answers.TryGetValue(field.Name, out var answer))
                {
                    json.WritePropertyName(field.Name);
                    answer.Value.WriteTo(json);
                }
            }
            json.WriteEndObject();
            json.WriteStartObject("confidence");
            foreach (var field in fields)
            {
                if (entry.Answers.TryGetValue(field.Name, out var answer))
                {
                    json.WriteNumber(field.Name, answer.Confidence);
                }
            }
            json.WriteEndObject();
            json.WriteStartObject("source");
            foreach (var field in fields)
            {
                if (entry.Answers.TryGetValue(field.Name, out var answer))
                {
                    json.WriteString(field.Name, SourceName(answer.Source));
                }
            }
            json.WriteEndObject();
            json.WriteStartObject("from");
            foreach (var field in fields)
            {
                if (entry.Answers.TryGetValue(field.Name, out var answer))
                {
                    json.WriteStartArray(field.Name);
                    foreach (var id in answer.FromAnnotationIds)
                    {
                        json.WriteNumberValue(id);
                    }
                    json.WriteEndArray();
                }
            }
            json.WriteEndObject();
            // Only synthetic items carry it: a release of collected items reads exactly as before.
            entry.Synthetic?.WriteTo(json);
            json.WriteEndObject();
            await output.EndLineAsync(ct);
        }
    }

    /// <summary>The name a file gives a source: the enum member as <see cref="FinalAnswer"/>'s JSON writes it.</summary>
    public static string SourceName(FinalAnswerSource source) => source switch
    {
        FinalAnswerSource.Gold => nameof(FinalAnswerSource.Gold),
        FinalAnswerSource.Adjudicated => nameof(FinalAnswerSource.Adjudicated),
        FinalAnswerSource.Majority => nameof(FinalAnswerSource.Majority),
        FinalAnswerSource.DawidSkene => nameof(FinalAnswerSource.DawidSkene),
        FinalAnswerSource.Consensus => nameof(FinalAnswerSource.Consensus),
    };
}
