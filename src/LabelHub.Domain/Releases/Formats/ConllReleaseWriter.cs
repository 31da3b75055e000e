using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// CoNLL-2003 style IOB2 files for span fields: for each Spans field, <c>conll/{field}/{split}.txt</c> with one token per
/// line as "token&lt;TAB&gt;tag" (two columns; tags B-label, I-label, O). Items are documents: each starts with the
/// CoNLL-2003 line "-DOCSTART-&lt;TAB&gt;O" and a blank line, then its tokens, then a blank line; items are not cut into
/// sentences. Tokens and tags follow <see cref="ConllTokenizer"/>. Beside each file, <c>{split}.items.tsv</c> names the
/// item of each document in the same order (item_id, tokens, the spans that could not be tagged as JSON), so a model's
/// predictions map back to items. Items without a final answer to the field (tied or unanswered) or without text are
/// left out: their tokens would read as "no entity".
/// </summary>
public sealed class ConllReleaseWriter : IReleaseFormatWriter
{
    public const string DocumentStart = "-DOCSTART-";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public ReleaseFormat Format => ReleaseFormat.Conll;

    public string? CannotWrite(LabelSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Fields.Any(f => f.Kind == FieldKind.Spans) ? null : "CoNLL files need a spans field in the schema.";
    }

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var field in context.Schema.Fields.Where(f => f.Kind == FieldKind.Spans))
        {
            await WriteTokensAsync(context, zip, field, ct);
            await WriteItemsAsync(context, zip, field, ct);
        }
    }

    /// <summary>The item's text cut and tagged for the field, or null when the item is left out of the field's files.</summary>
    public static TaggedText? Document(LabelField field, ReleaseEntry entry)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.Answers.TryGetValue(field.Name, out var answer)
            || AnswerCodec.Read(field, answer.Value, emptyListIsAnswer: true).Value is not SpansAnswer spans
            || AnswerCodec.SourceText(field, entry.Data) is not { } text)
        {
            return null;
        }
        var tagged = ConllTokenizer.Tag(text, spans.Spans);
        return tagged.Tokens.Count == 0 ? null : tagged;
    }

    private static async Task WriteTokensAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, CancellationToken ct)
    {
        await using var files = new SplitFiles<StreamWriter>(zip, context.Splits, split => $"conll/{field.Name}/{split}.txt", Open);
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            var writer = await files.ForAsync(entry.Split, ct);
            if (Document(field, entry) is not { } document)
            {
                continue;
            }
            var text = AnswerCodec.SourceText(field, entry.Data)!;
            await writer.WriteAsync(DocumentStart);
            await writer.WriteAsync('\t');
            await writer.WriteAsync(ConllTokenizer.Outside);
            await writer.WriteAsync("\n\n");
            for (var i = 0; i < document.Tokens.Count; i++)
            {
                var token = document.Tokens[i];
                await writer.WriteAsync(text.AsMemory(token.Start, token.End - token.Start), ct);
                await writer.WriteAsync('\t');
                await writer.WriteAsync(document.Tags[i]);
                await writer.WriteAsync('\n');
            }
            await writer.WriteAsync('\n');
        }
    }

    private static async Task WriteItemsAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, CancellationToken ct)
    {
        await using var files = new SplitFiles<StreamWriter>(zip, context.Splits, split => $"conll/{field.Name}/{split}.items.tsv", stream =>
        {
            var writer = Open(stream);
            // Into the writer's empty 64 KiB buffer: nothing reaches the archive synchronously.
            writer.Write("item_id\ttokens\tdropped_spans\n");
            return writer;
        });
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            var writer = await files.ForAsync(entry.Split, ct);
            if (Document(field, entry) is not { } document)
            {
                continue;
            }
            await writer.WriteAsync(entry.ItemId.ToString(CultureInfo.InvariantCulture));
            await writer.WriteAsync('\t');
            await writer.WriteAsync(document.Tokens.Count.ToString(CultureInfo.InvariantCulture));
            await writer.WriteAsync('\t');
            if (document.Dropped.Count > 0)
            {
                // One JSON list on the line: the relaxed encoder still escapes tabs and line breaks, so the row stays one row.
                await writer.WriteAsync(DroppedJson(document.Dropped));
            }
            await writer.WriteAsync('\n');
        }
    }

    private static string DroppedJson(IReadOnlyList<DroppedSpan> dropped)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonLinesOutput.Options))
        {
            json.WriteStartArray();
            foreach (var d in dropped)
            {
                json.WriteStartObject();
                json.WriteNumber("start", d.Span.Start);
                json.WriteNumber("end", d.Span.End);
                json.WriteString("label", d.Span.Label);
                json.WriteString("reason", d.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // '\n' is written by hand, never the platform's line break.
    private static StreamWriter Open(Stream stream) => new(stream, Utf8, 1 << 16, leaveOpen: true) { NewLine = "\n" };
}
