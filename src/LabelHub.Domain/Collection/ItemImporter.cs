using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Runs an import: parses the uploaded file and stores its items in one transaction, so either every item arrives
/// or none does. A bad file fails with every bad row's line number. Exact duplicates (of each other or of items
/// already in the project) are skipped and reported. Images and ZIP archives of images go through <see cref="ImageImporter"/>.
/// </summary>
public sealed class ItemImporter(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    private const int InsertBatch = 2000;

    public async Task<JobOutcome<ImportResult>> RunAsync(JobRun run, ImportParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException("An import belongs to a project.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A re-run after a crash: an import that had written everything (revealing or revealed) finishes and reports;
        // one killed while writing starts again from nothing.
        var ownItems = db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == run.Id);
        if (await ownItems.AnyAsync(i => i.TakenSlots != Item.PendingSlots, ct))
        {
            await RevealAsync(db, run.Id, ct);
            var alreadyImported = await ownItems.CountAsync(ct);
            return CollectionJobs.Import.Succeeded($"Imported {alreadyImported:N0} items from {parameters.FileName}.", ImportResult.Success(alreadyImported, []));
        }
        await RemovePendingAsync(db, run.Id, ct);

        if (!await db.StoredFiles.AnyAsync(f => f.Id == parameters.FileId && f.IsComplete, ct))
        {
            throw new InvalidOperationException("The uploaded file is gone.");
        }
        await progress.ReportAsync(0, $"Reading {parameters.FileName}", ct);
        var readingProgress = new SyncProgress(fraction => progress.ReportAsync(fraction * 0.6, $"Reading {parameters.FileName}", ct));
        if (parameters.Format is ItemFileFormat.Image or ItemFileFormat.Zip)
        {
            var upload = await StoredFileService.ReadAllBytesAsync(db, parameters.FileId, ct);
            return await ImageImporter.RunAsync(db, run, parameters, projectId, upload, progress, readingProgress, clock.GetUtcNow(), ct);
        }
        // The upload is read as it is parsed, a chunk at a time.
        await using var content = await StoredFileReadStream.OpenAsync(dbFactory, parameters.FileId, ct);
        var parsed = ItemFileParser.Parse(content, parameters.Format, readingProgress, ct);
        var errors = parsed.Succeeded ? ImageUrlErrors(parsed.Items, projectId) : parsed.Errors;
        if (errors.Count > 0)
        {
            return Failure(parameters.FileName, errors, "bad row");
        }

        await progress.ReportAsync(0.6, "Checking for duplicates", ct);
        var now = clock.GetUtcNow();
        var hashes = parsed.Items.Select(i => ContentHash(i.Data)).ToList();
        var seen = await ExistingHashesAsync(db, projectId, hashes, ct);
        var items = new List<Item>(parsed.Items.Count);
        var duplicateLines = new List<int>();
        for (var i = 0; i < parsed.Items.Count; i++)
        {
            if (!seen.Add(hashes[i]))
            {
                duplicateLines.Add(parsed.Items[i].Line);
                continue;
            }
            items.Add(new Item
            {
                ProjectId = projectId,
                Data = parsed.Items[i].Data,
                ContentHash = hashes[i],
                ImportJobRunId = run.Id,
                SourceLine = parsed.Items[i].Line,
                TakenSlots = Item.PendingSlots,
                CreatedAt = now,
            });
        }

        await progress.ReportAsync(0.7, $"Storing {items.Count:N0} items", ct);
        // Each batch is its own short transaction, so annotators' writes get through between them; the items stay
        // pending (invisible, never handed out) until all are stored, then are revealed together, batch by batch.
        try
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var stored = 0;
            foreach (var batch in items.Chunk(InsertBatch))
            {
                db.Items.AddRange(batch);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                stored += batch.Length;
                await progress.ReportAsync(0.7 + (0.25 * stored / items.Count), $"Stored {stored:N0} of {items.Count:N0} items", ct);
            }
        }
        catch
        {
            // Failed or cancelled: nothing of it stays behind.
            await RemovePendingAsync(db, run.Id, CancellationToken.None);
            throw;
        }
        await progress.ReportAsync(0.95, "Making the items available", ct);
        await RevealAsync(db, run.Id, ct);

        return Success(parameters.FileName, items.Count, duplicateLines, "line");
    }

    /// <summary>Items revealed (or removed) per statement: each is a short write, whatever the import's size.</summary>
    private const int RevealBatch = 5000;

    /// <summary>Makes an import's pending items available, a range of ids at a time.</summary>
    internal static Task RevealAsync(LabelHubDbContext db, Guid runId, CancellationToken ct) =>
        ForEachPendingRangeAsync(db, runId, (from, to) => db.Items.IgnoreQueryFilters()
            .Where(i => i.Id >= from && i.Id <= to && i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, 0), ct), ct);

    /// <summary>Removes an import's pending items (a killed or failed attempt), a range of ids at a time.</summary>
    internal static Task RemovePendingAsync(LabelHubDbContext db, Guid runId, CancellationToken ct) =>
        ForEachPendingRangeAsync(db, runId, (from, to) => db.Items.IgnoreQueryFilters()
            .Where(i => i.Id >= from && i.Id <= to && i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots)
            .ExecuteDeleteAsync(ct), ct);

    /// <summary>
    /// Walks the ids of an import's items in ranges of <see cref="RevealBatch"/> along the primary key: each statement is a
    /// short write, and none scans what an earlier one already did.
    /// </summary>
    private static async Task ForEachPendingRangeAsync(LabelHubDbContext db, Guid runId, Func<long, long, Task<int>> apply, CancellationToken ct)
    {
        var pending = db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots);
        var first = await pending.MinAsync(i => (long?)i.Id, ct);
        var last = await pending.MaxAsync(i => (long?)i.Id, ct);
        if (first is null || last is null)
        {
            return;
        }
        for (var from = first.Value; from <= last.Value; from += RevealBatch)
        {
            await apply(from, Math.Min(from + RevealBatch - 1, last.Value));
        }
    }

    /// <summary>A failed import: nothing stored, every problem listed with its line (or archive entry).</summary>
    public static JobOutcome<ImportResult> Failure(string fileName, IReadOnlyList<ImportRowError> errors, string problemNoun)
    {
        // Past the limit the readers stop and add one closing "too many errors" line.
        var tooMany = errors.Count > ItemFileParser.MaxErrorsReported;
        var count = tooMany ? $"more than {ItemFileParser.MaxErrorsReported:N0} {PluralOf(problemNoun)}" : Plural(errors.Count, problemNoun);
        var first = errors[0];
        return CollectionJobs.Import.Failed(
            $"{fileName} has {count}; nothing was imported. First: {(first.Line > 0 ? $"line {first.Line}: " : "")}{first.Message}",
            ImportResult.Failure(errors));
    }

    /// <summary>A stored import; <paramref name="lineNoun"/> names what a duplicate's number counts (line, entry, file).</summary>
    public static JobOutcome<ImportResult> Success(string fileName, int imported, IReadOnlyList<int> duplicateLines, string lineNoun)
    {
        var text = $"Imported {Plural(imported, "item")} from {fileName}."
            + (duplicateLines.Count > 0 ? $" Skipped {Plural(duplicateLines.Count, "exact duplicate")} ({(duplicateLines.Count == 1 ? lineNoun : PluralOf(lineNoun))} {string.Join(", ", duplicateLines.Take(10))}{(duplicateLines.Count > 10 ? ", …" : "")})." : "");
        return CollectionJobs.Import.Succeeded(text, ImportResult.Success(imported, duplicateLines));
    }

    /// <summary>An "image" in a JSON or CSV item is shown in the browser, so it must be an http(s) URL (or this project's media).</summary>
    public static List<ImportRowError> ImageUrlErrors(IReadOnlyList<ParsedItem> items, Guid projectId)
    {
        var errors = new List<ImportRowError>();
        foreach (var item in items)
        {
            if (item.Data.TryGetValue(MediaUrls.ImageKey, out var image)
                && !(image.ValueKind == JsonValueKind.String && MediaUrls.IsAllowed(image.GetString(), projectId)))
            {
                errors.Add(new ImportRowError(item.Line, $"\"{MediaUrls.ImageKey}\" must be an http(s) URL of an image"));
                if (errors.Count > ItemFileParser.MaxErrorsReported)
                {
                    break;
                }
            }
        }
        return errors;
    }

    /// <summary>SHA-256 over the item's JSON with keys sorted, so key order does not make a different item.</summary>
    public static string ContentHash(Dictionary<string, JsonElement> data)
    {
        var canonical = JsonSerializer.Serialize(new SortedDictionary<string, JsonElement>(data, StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Which of these content hashes the project's items already have.</summary>
    internal static async Task<HashSet<string>> ExistingHashesAsync(LabelHubDbContext db, Guid projectId, List<string> hashes, CancellationToken ct)
    {
        var found = new HashSet<string>();
        foreach (var chunk in hashes.Distinct().Chunk(1000))
        {
            var list = chunk.ToList();
            found.UnionWith(await db.Items.Where(i => i.ProjectId == projectId && list.Contains(i.ContentHash)).Select(i => i.ContentHash).ToListAsync(ct));
        }
        return found;
    }

    private static string Plural(int count, string noun) => $"{count:N0} {(count == 1 ? noun : PluralOf(noun))}";

    /// <summary>"entry" → "entries", "line" → "lines": the nouns import messages count.</summary>
    private static string PluralOf(string noun) => noun.EndsWith('y') ? noun[..^1] + "ies" : noun + "s";

    /// <summary>The parser reports synchronously; this forwards without blocking the parse on each write.</summary>
    internal sealed class SyncProgress(Func<double, Task> report) : IProgress<double>
    {
        public void Report(double value) => report(value).GetAwaiter().GetResult();
    }
}
