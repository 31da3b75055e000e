using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using nietras.SeparatedValues;

namespace LabelHub.Domain.Releases;

public enum ExportFormat
{
    Jsonl,
    Csv,
}

public enum ExportScope
{
    /// <summary>Every item, with its answers (rejected ones left out); items nobody answered have none.</summary>
    All,

    /// <summary>Items with at least one answer that was not rejected.</summary>
    Labeled,

    /// <summary>Answers a reviewer accepted, and the items that have one.</summary>
    Reviewed,
}

/// <summary>
/// Writes a project's items with each annotator's current answer and the final answer per field (<see cref="FinalAnswers"/>).
/// Text is written as UTF-8 as it is (JSON escapes only what it must), so Hangul stays readable. Reads in keyset pages
/// so memory stays flat however large the project is.
/// </summary>
public static class AnnotationExporter
{
    private const int PageSize = 2000;

    // Relaxed: only what JSON itself requires is escaped; HTML-sensitive characters are not, as this is a data file.
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder RowEncoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static string FileName(Project project, ExportFormat format, DateTimeOffset now)
    {
        var safe = new string([.. project.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-')]).Trim('-');
        return $"{(safe.Length == 0 ? "project" : safe)}-{now:yyyyMMdd-HHmmss}.{format.ToString().ToLowerInvariant()}";
    }

    /// <param name="itemIds">Only these items, in id order (the data manager's selection); null for every item.</param>
    public static async Task<int> WriteAsync(
        LabelHubDbContext db, Project project, ExportParameters parameters, Stream output, Func<double, Task> progress, CancellationToken ct,
        IReadOnlyList<long>? itemIds = null)
    {
        var format = parameters.Format;
        var total = itemIds?.Count ?? await db.Items.CountAsync(i => i.ProjectId == project.Id, ct);
        var userNames = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.UserName ?? u.Id.ToString(), ct);
        var bom = format == ExportFormat.Csv && parameters.ByteOrderMark;
        await using var writer = new StreamWriter(output, new UTF8Encoding(bom), 1 << 16, leaveOpen: true);
        var fields = project.Schema.Fields;
        var dataKeys = format == ExportFormat.Csv ? await DataKeysAsync(db, project.Id, ct) : [];
        // Disposed before the final flush: Sep writes what it holds to the text writer then.
        var csv = format == ExportFormat.Csv ? CsvWriter(writer) : null;
        // JSON lines go as UTF-8 straight from a page's buffer to the file: no string per row, no second encoding.
        var jsonRows = format == ExportFormat.Jsonl ? new ArrayBufferWriter<byte>(1 << 20) : null;
        await using var json = jsonRows is null ? null : new Utf8JsonWriter(jsonRows, new JsonWriterOptions { Encoder = RowEncoder, SkipValidation = true });
        if (csv is not null)
        {
            WriteCsvRow(csv, [
                "item_id", .. dataKeys.Select(k => "data." + k), "annotator", "version", "created_at", "duration_ms", "review_status",
                .. fields.Select(f => f.Name), .. fields.Select(f => "final." + f.Name)]);
        }

        var written = 0;
        // A round-trip date is 33 characters; written into this instead of a new string per row.
        var dateCell = new char[64];
        var reviewedOnly = parameters.Scope == ExportScope.Reviewed;
        // The next page is read while this one is written: the database (another process) and this thread work at the same
        // time. Only the reading task uses the context, one query after another.
        var next = ReadPageAsync(db, project.Id, 0, reviewedOnly, itemIds, ct);
        try
        {
            while (true)
            {
                var (page, annotations) = await next;
                if (page.Count == 0)
                {
                    break;
                }
                next = ReadPageAsync(db, project.Id, page[^1].Id, reviewedOnly, itemIds, ct);
                foreach (var item in page)
                {
                    var answers = annotations[item.Id].ToList();
                    if (answers.Count == 0 && parameters.Scope != ExportScope.All)
                    {
                        continue;
                    }
                    var final = FinalAnswers.Of(project.Schema, answers.Select(a => a.Values), item.IsGold ? item.GoldAnswer : null);
                    if (json is not null)
                    {
                        // Written field by field into the page's buffer, as JsonSerializer would write the same row.
                        json.WriteStartObject();
                        json.WriteNumber("item_id", item.Id);
                        WriteObject(json, "data", item.Data);
                        WriteObject(json, "final", final);
                        json.WriteStartArray("annotations");
                        foreach (var a in answers)
                        {
                            json.WriteStartObject();
                            json.WriteString("annotator", NameOf(userNames, a.AnnotatorId));
                            json.WriteNumber("version", a.Version);
                            json.WriteString("created_at", a.CreatedAt);
                            if (a.DurationMs is { } duration)
                            {
                                json.WriteNumber("duration_ms", duration);
                            }
                            else
                            {
                                json.WriteNull("duration_ms");
                            }
                            json.WriteString("review_status", a.ReviewStatus.ToString());
                            WriteObject(json, "values", a.Values);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                        json.WriteEndObject();
                        json.Flush();
                        jsonRows!.Write("\n"u8);
                        json.Reset(jsonRows!);
                    }
                    else
                    {
                        // Cells go straight into Sep's row: no list or array per row.
                        var finalCells = fields.Select(f => final.TryGetValue(f.Name, out var v) ? AnswerCell(f, v) : "").ToArray();
                        if (answers.Count == 0)
                        {
                            using var row = csv!.NewRow();
                            var column = WriteItemCells(row, item.Id, item.Data, dataKeys);
                            for (var empty = 0; empty < 5 + fields.Count; empty++)
                            {
                                row[column++].Set("");
                            }
                            WriteCells(row, column, finalCells);
                        }
                        foreach (var a in answers)
                        {
                            using var row = csv!.NewRow();
                            var column = WriteItemCells(row, item.Id, item.Data, dataKeys);
                            row[column++].Set(FormulaSafe(NameOf(userNames, a.AnnotatorId)));
                            row[column++].Format(a.Version);
                            a.CreatedAt.TryFormat(dateCell, out var dateLength, "O", CultureInfo.InvariantCulture);
                            row[column++].Set(dateCell.AsSpan(0, dateLength));
                            if (a.DurationMs is { } duration)
                            {
                                row[column++].Format(duration);
                            }
                            else
                            {
                                row[column++].Set("");
                            }
                            row[column++].Set(a.ReviewStatus.ToString());
                            foreach (var f in fields)
                            {
                                row[column++].Set(a.Values.TryGetValue(f.Name, out var v) ? FormulaSafe(AnswerCell(f, v)) : "");
                            }
                            WriteCells(row, column, finalCells);
                        }
                    }
                    written++;
                }
                if (jsonRows is { WrittenCount: > 0 })
                {
                    await output.WriteAsync(jsonRows.WrittenMemory, ct);
                    jsonRows.ResetWrittenCount();
                    json!.Reset(jsonRows);
                }
                await progress(total == 0 ? 1 : (double)written / total);
            }
        }
        finally
        {
            // A page still being read when writing failed: the context must be free before the caller disposes it.
            await next.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        csv?.Dispose();
        await writer.FlushAsync(ct);
        return written;
    }

    /// <summary>The annotator's user name; the id of a user who is gone (not a new string per row for everyone else).</summary>
    private static string NameOf(Dictionary<Guid, string> userNames, Guid annotatorId) =>
        userNames.TryGetValue(annotatorId, out var name) ? name : annotatorId.ToString();

    private sealed record ExportItem(long Id, Dictionary<string, JsonElement> Data, bool IsGold, Dictionary<string, JsonElement> GoldAnswer);

    private sealed record ExportAnswer(
        long ItemId, Guid AnnotatorId, int Version, Dictionary<string, JsonElement> Values, DateTimeOffset CreatedAt, int? DurationMs, ReviewStatus ReviewStatus);

    /// <summary>The next page of items after <paramref name="afterId"/> and their answers, oldest first per item.</summary>
    private static async Task<(List<ExportItem> Items, ILookup<long, ExportAnswer> Answers)> ReadPageAsync(
        LabelHubDbContext db, Guid projectId, long afterId, bool reviewedOnly, IReadOnlyList<long>? itemIds, CancellationToken ct)
    {
        // Off the caller's thread at once, so the page being written is not held up by this one's query.
        await Task.Yield();
        var items = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.Id > afterId);
        List<long>? chosen = null;
        if (itemIds is not null)
        {
            // A selection is read a page of its ids at a time (they come sorted), not by scanning the project.
            chosen = [.. itemIds.Where(id => id > afterId).Take(PageSize)];
            items = items.Where(i => chosen.Contains(i.Id));
        }
        var page = await items
            .OrderBy(i => i.Id)
            .Take(PageSize)
            .Select(i => new ExportItem(i.Id, i.Data, i.IsGold, i.GoldAnswer))
            .ToListAsync(ct);
        if (page.Count == 0)
        {
            return (page, Array.Empty<ExportAnswer>().ToLookup(a => a.ItemId));
        }
        var firstId = page[0].Id;
        var lastId = page[^1].Id;
        // The page's answers by a range of item ids, along the (item, annotator, version) index: one range read instead of
        // a lookup per item. Answers to other projects' items in the range are left out by the lookup.
        var answerRows = db.Annotations.AsNoTracking()
            // Rejected answers are not part of the dataset.
            .Where(a => a.ItemId >= firstId && a.ItemId <= lastId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .Where(a => !reviewedOnly || a.ReviewStatus == ReviewStatus.Accepted);
        if (chosen is not null)
        {
            // A sparse selection: not every answer in the id range.
            answerRows = answerRows.Where(a => chosen.Contains(a.ItemId));
        }
        var answers = await answerRows.Select(a => new ExportAnswer(a.ItemId, a.AnnotatorId, a.Version, a.Values, a.CreatedAt, a.DurationMs, a.ReviewStatus))
            .ToListAsync(ct);
        return (page, answers.OrderBy(a => a.CreatedAt).ToLookup(a => a.ItemId));
    }

    private static void WriteObject(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, JsonElement> values)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            json.WritePropertyName(key);
            value.WriteTo(json);
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// The union of item data keys for the CSV header, in first-seen order: by the first item that has each key, then by
    /// the key's place in that item. The database lists the keys with the first item of each (one pass over the JSON, no
    /// item read into objects: reading every item's data here had cost the PostgreSQL export about 5 s per 1,000,000), and
    /// only those first items are read to order keys that first appear together.
    /// </summary>
    private static async Task<List<string>> DataKeysAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct)
    {
        // Pending items (an import still being written) are not exported, so their keys are not part of the header.
        var sql = db.Provider == DatabaseProvider.Postgres
            ? "SELECT k.key, min(i.id) FROM items i CROSS JOIN LATERAL jsonb_object_keys(i.data) AS k(key) WHERE i.project_id = @project AND i.taken_slots < @pending GROUP BY k.key"
            : "SELECT j.key, min(i.id) FROM items i, json_each(i.data) j WHERE i.project_id = @project AND i.taken_slots < @pending GROUP BY j.key";
        var firstItemOfKey = new Dictionary<string, long>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            // Bound through the model's mappings, as EF binds them (a Guid is TEXT on SQLite).
            var items = db.Model.FindEntityType(typeof(Item))!;
            command.Parameters.Add(((RelationalTypeMapping)items.FindProperty(nameof(Item.ProjectId))!.GetTypeMapping()).CreateParameter(command, "@project", projectId));
            command.Parameters.Add(((RelationalTypeMapping)items.FindProperty(nameof(Item.TakenSlots))!.GetTypeMapping()).CreateParameter(command, "@pending", Item.PendingSlots));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                firstItemOfKey[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        var firstItems = firstItemOfKey.Values.Distinct().ToList();
        var placeInItem = new Dictionary<(long Item, string Key), int>();
        foreach (var ids in firstItems.Chunk(500))
        {
            foreach (var item in await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.Data }).ToListAsync(ct))
            {
                var place = 0;
                foreach (var key in item.Data.Keys)
                {
                    placeInItem[(item.Id, key)] = place++;
                }
            }
        }
        return [.. firstItemOfKey
            .OrderBy(k => k.Value)
            .ThenBy(k => placeInItem.GetValueOrDefault((k.Value, k.Key), int.MaxValue))
            .ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => k.Key)];
    }

    /// <summary>
    /// One field's answer in a CSV cell: labels, text and dates as they are, multiple choice joined by '|', numbers in
    /// invariant form, spans and boxes as their JSON list. A value that does not read as the field's kind is written as stored.
    /// </summary>
    public static string AnswerCell(LabelField field, JsonElement value) => AnswerCodec.Read(field, value) switch
    {
        { IsEmpty: true } => "",
        { Clean: { } answer } => answer.Match(
            choice: c => c.Label,
            multiChoice: m => string.Join('|', m.Labels),
            spans: s => AnswerCodec.ToJson(s).GetRawText(),
            boxes: b => AnswerCodec.ToJson(b).GetRawText(),
            text: t => t.Text,
            number: n => n.Value.ToString("R", CultureInfo.InvariantCulture),
            date: d => AnswerCodec.FormatDate(d.Date),
            rating: r => r.Stars.ToString(CultureInfo.InvariantCulture)),
        _ => Cell(value),
    };

    /// <summary>An item data value in a cell: strings as they are, lists of strings joined by '|', anything else as JSON.</summary>
    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            string.Join('|', value.EnumerateArray().Select(e => e.GetString())),
        _ => value.GetRawText(),
    };

    /// <summary>A CSV writer (Sep): fields quoted when they hold a comma, quote or line break; no header of its own.</summary>
    public static SepWriter CsvWriter(TextWriter target) =>
        Sep.New(',').Writer(o => o with { WriteHeader = false, Escape = true }).To(target, leaveOpen: true);

    /// <summary>The item's id and data cells at the start of a row; returns the next column.</summary>
    private static int WriteItemCells(SepWriter.Row row, long itemId, IReadOnlyDictionary<string, JsonElement> data, List<string> dataKeys)
    {
        row[0].Format(itemId);
        var column = 1;
        foreach (var key in dataKeys)
        {
            row[column++].Set(data.TryGetValue(key, out var value) ? FormulaSafe(Cell(value)) : "");
        }
        return column;
    }

    private static void WriteCells(SepWriter.Row row, int column, string[] cells)
    {
        foreach (var cell in cells)
        {
            row[column++].Set(FormulaSafe(cell));
        }
    }

    /// <summary>One row of formula-safe cells (<see cref="FormulaSafe"/>).</summary>
    public static void WriteCsvRow(SepWriter writer, IReadOnlyList<string> cells)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var row = writer.NewRow();
        for (var i = 0; i < cells.Count; i++)
        {
            row[i].Set(FormulaSafe(cells[i]));
        }
    }

    /// <summary>One CSV line (without its line break), for small tables built in memory.</summary>
    public static string CsvLine(IReadOnlyList<string> cells)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = CsvWriter(text))
        {
            WriteCsvRow(writer, cells);
        }
        var line = text.ToString();
        return line.EndsWith(text.NewLine, StringComparison.Ordinal) ? line[..^text.NewLine.Length] : line;
    }

    /// <summary>
    /// A leading =, +, -, @, tab or carriage return would run as a formula in a spreadsheet (OWASP CSV injection); a
    /// quote mark keeps it text. Numbers such as -5 stay as they are.
    /// </summary>
    public static string FormulaSafe(string cell) =>
        cell.Length > 0 && "=+-@\t\r".Contains(cell[0]) && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? "'" + cell
            : cell;
}
