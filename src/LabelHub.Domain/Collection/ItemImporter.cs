using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Runs an import: parses the uploaded file as it reads it and stores its items in short batches, pending until all
/// are stored, so either every item arrives or none does (ADR 0014). A bad file fails with every bad row's line number. Exact duplicates (of each other or of items
/// already in the project) are skipped and reported. Images and ZIP archives of images go through <see cref="ImageImporter"/>,
/// in batches that are pending the same way (their image files held back as incomplete until the items are revealed).
/// </summary>
public sealed class ItemImporter(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock, SqliteWriteGate writeGate, Microsoft.Extensions.Options.IOptions<LabelHubOptions> options)
{
    /// <summary>Items per stored batch: each is one short write (about 40 ms on SQLite with its indexes).</summary>
    private const int InsertBatch = 1000;

    public async Task<JobOutcome<ImportResult>> RunAsync(JobRun run, ImportParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException("An import belongs to a project.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A re-run after a crash: an import that had written everything (revealing or revealed) finishes and reports;
        // one killed while writing starts again from nothing. An image import's files follow its items.
        var ownItems = db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == run.Id);
        if (await ownItems.AnyAsync(i => i.TakenSlots != Item.PendingSlots, ct))
        {
            await RevealAsync(db, run.Id, ct);
            await StoredFileService.CompleteJobFilesAsync(db, run.Id, ct);
            var alreadyImported = await ownItems.CountAsync(ct);
            return CollectionJobs.Import.Succeeded($"Imported {alreadyImported:N0} items from {parameters.FileName}.", ImportResult.Success(alreadyImported, []));
        }
        await RemovePendingAsync(db, run.Id, ct);
        await StoredFileService.RemoveIncompleteAsync(db, run.Id, ct);

        if (!await db.StoredFiles.AnyAsync(f => f.Id == parameters.FileId && f.IsComplete, ct))
        {
            throw new InvalidOperationException("The uploaded file is gone.");
        }
        await progress.ReportAsync(0, $"Reading {parameters.FileName}", ct);
        var readingProgress = new SyncProgress(fraction => progress.ReportAsync(fraction * 0.6, $"Reading {parameters.FileName}", ct));
        // The source is recorded once per import: a re-run finds the one its first attempt made.
        var sourceId = await SourceService.EnsureImportSourceAsync(db, run, parameters, clock.GetUtcNow(), ct);
        var textArchive = false;
        if (parameters.Format == ItemFileFormat.Zip)
        {
            await using var zip = await StoredFileReadStream.OpenAsync(dbFactory, parameters.FileId, ct);
            textArchive = TextArchive.HoldsText(zip);
        }
        if (parameters.Format is ItemFileFormat.Image || (parameters.Format is ItemFileFormat.Zip && !textArchive))
        {
            return await ImageImporter.RunAsync(dbFactory, db, run, parameters, projectId, sourceId, progress, readingProgress, clock.GetUtcNow(), ct);
        }
        // What a duplicate's or a bad row's number counts: a ZIP of .txt files numbers its entries.
        var lineNoun = textArchive ? "entry" : "line";
        // One pass over the upload: the parser (on its own thread) reads it a chunk at a time and hands over batches of
        // new items; this thread stores each batch in its own short transaction as pending. Memory holds a few batches,
        // whatever the file's size. Any bad row stops the storing (the parser goes on to list every bad row), and
        // whatever was stored is removed: all or nothing, for the user.
        var now = clock.GetUtcNow();
        var inProject = await ProjectHashesAsync(db, projectId, ct);
        // Label Studio tasks bring annotations and predictions, read against the schema as the file is (LabelStudioImport).
        var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
        var labelStudio = new LabelStudioImport(dbFactory, projectId, run.Id, now);
        await labelStudio.LoadMembersAsync(ct);
        var sawLabelStudio = false;
        var batches = Channel.CreateBounded<PendingBatch>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var errors = new List<ImportRowError>();
        // Duplicates within the file (found by the reader) and of the project's items (found while storing): each counted,
        // the first of each kind listed with what they repeat (both come in line order, so the first of both together are among them).
        var duplicatesInFile = new List<ImportDuplicate>();
        var duplicatesOfProject = new List<ImportDuplicate>();
        var duplicatesInFileCount = 0;
        var duplicatesOfProjectCount = 0;
        var itemProgress = new SyncProgress(fraction => progress.ReportAsync(fraction * 0.9, $"Reading {parameters.FileName}", ct));
        // Each distinct item's first line, so a repeat can name the line it repeats.
        var seenInFile = new Dictionary<UInt128, int>();
        var maxItemBytes = options.Value.MaxItemBytes;
        var failed = false;
        ItemParseResult? parsed = null;
        var reader = Task.Run(async () =>
        {
            try
            {
                await using var content = await StoredFileReadStream.OpenAsync(dbFactory, parameters.FileId, ct);
                var batch = new PendingBatch();
                void OnItem(ParsedItem item)
                {
                    LabelStudioRead? task = null;
                    if (item.LabelStudio is { } labelStudioTask)
                    {
                        sawLabelStudio = true;
                        task = LabelStudioAnswers.Read(labelStudioTask, schema, item.Data);
                        if (task.Error is { } taskError && errors.Count <= ItemFileParser.MaxErrorsReported)
                        {
                            errors.Add(new ImportRowError(item.Line, taskError));
                        }
                    }
                    if (ImageUrlError(item, projectId) is { } urlError && errors.Count <= ItemFileParser.MaxErrorsReported)
                    {
                        errors.Add(urlError);
                    }
                    var canonical = CanonicalJson(item.Data);
                    // The hashed form escapes non-ASCII text, so it is never smaller than the item as stored: only an item
                    // over the limit in it is measured as stored (UTF-8 as it is).
                    if (canonical.Length > maxItemBytes && StoredSize(item.Data) is var size && size > maxItemBytes
                        && errors.Count <= ItemFileParser.MaxErrorsReported)
                    {
                        errors.Add(new ImportRowError(item.Line, $"the item is {size:N0} bytes; at most {maxItemBytes:N0} bytes are allowed per item"));
                    }
                    if (Volatile.Read(ref failed) || errors.Count > 0)
                    {
                        return;
                    }
                    var hash = Convert.ToHexStringLower(SHA256.HashData(canonical));
                    if (!seenInFile.TryAdd(HashKey(hash), item.Line))
                    {
                        duplicatesInFileCount++;
                        if (duplicatesInFile.Count < ImportResult.MaxDuplicateLinesListed)
                        {
                            duplicatesInFile.Add(ImportDuplicate.OfLine(item.Line, seenInFile[HashKey(hash)], lineNoun));
                        }
                        return;
                    }
                    LabelStudioPending? answered = null;
                    if (task is not null)
                    {
                        (answered, var accountError) = labelStudio.Resolve(task, ct);
                        if (accountError is not null)
                        {
                            errors.Add(new ImportRowError(item.Line, accountError));
                            return;
                        }
                        batch.LabelStudio[hash] = answered!;
                    }
                    batch.Items.Add(new Item
                    {
                        ProjectId = projectId,
                        Data = item.Data,
                        ContentHash = hash,
                        ImportJobRunId = run.Id,
                        SourceLine = item.Line,
                        TakenSlots = Item.PendingSlots,
                        // Imported answers count as submitted; revealing turns them into taken slots too.
                        SubmittedCount = answered?.AnnotatorIds.Length ?? 0,
                        SourceId = sourceId,
                        SearchText = ItemSearchText.Of(item.Data),
                        CreatedAt = now,
                    });
                    if (batch.Items.Count == InsertBatch)
                    {
                        batches.Writer.WriteAsync(batch, ct).AsTask().GetAwaiter().GetResult();
                        batch = new PendingBatch();
                    }
                }
                parsed = textArchive
                    ? TextArchive.Parse(content, OnItem, itemProgress, ct)
                    : ItemFileParser.Parse(content, parameters.Format, itemProgress, ct, OnItem);
                if (batch.Items.Count > 0 && errors.Count == 0 && parsed.Succeeded)
                {
                    await batches.Writer.WriteAsync(batch, ct);
                }
            }
            finally
            {
                batches.Writer.Complete();
            }
        }, ct);

        var stored = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                if (errors.Count > 0)
                {
                    continue;
                }
                // Items the project had before this import are duplicates too (this import's own are pending, so not among them).
                var fresh = new List<Item>(batch.Items.Count);
                foreach (var item in batch.Items)
                {
                    if (!inProject.TryGetValue(HashKey(item.ContentHash), out var existingId))
                    {
                        fresh.Add(item);
                        continue;
                    }
                    duplicatesOfProjectCount++;
                    if (duplicatesOfProject.Count < ImportResult.MaxDuplicateLinesListed)
                    {
                        duplicatesOfProject.Add(ImportDuplicate.OfItem(item.SourceLine ?? 0, existingId));
                    }
                }
                // Raw ADO.NET, which the write interceptor does not see: it queues at the write gate itself.
                await writeGate.RunAsync(() => ItemBulkInsert.InsertAsync(db, fresh, ct), ct);
                if (batch.LabelStudio.Count > 0)
                {
                    await labelStudio.StoreAsync(db, fresh, batch.LabelStudio, ct);
                }
                stored += fresh.Count;
                await progress.ReportAsync(itemProgress.Last * 0.9, $"Stored {stored:N0} items", ct);
            }
            await reader;
        }
        catch
        {
            // Failed or cancelled: nothing of it stays behind.
            Volatile.Write(ref failed, true);
            // The reader may be waiting for room in the channel: keep taking its batches (it sends no more) until it ends.
            _ = Task.Run(async () =>
            {
                await foreach (var _ in batches.Reader.ReadAllAsync(CancellationToken.None))
                {
                }
            }, CancellationToken.None);
            await RemovePendingAsync(db, run.Id, CancellationToken.None);
            throw;
        }

        var allErrors = parsed!.Succeeded ? errors : [.. parsed.Errors.Concat(errors).OrderBy(e => e.Line).Take(ItemFileParser.MaxErrorsReported + 1)];
        if (allErrors.Count > 0)
        {
            await RemovePendingAsync(db, run.Id, CancellationToken.None);
            return Failure(parameters.FileName, allErrors, textArchive ? "bad entry" : "bad row");
        }
        await progress.ReportAsync(0.95, "Making the items available", ct);
        await RevealAsync(db, run.Id, ct);
        var duplicates = duplicatesInFile.Concat(duplicatesOfProject).OrderBy(d => d.Line).Take(ImportResult.MaxDuplicateLinesListed).ToList();
        return Success(parameters.FileName, stored, duplicates, lineNoun, duplicatesInFileCount + duplicatesOfProjectCount, sawLabelStudio ? labelStudio.Summary() : null);
    }

    /// <summary>A batch of items on its way to the database, with the Label Studio answers of those that brought some, by content hash.</summary>
    private sealed class PendingBatch
    {
        public List<Item> Items { get; } = new(InsertBatch);
        public Dictionary<string, LabelStudioPending> LabelStudio { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Items revealed (or removed) per statement: each is a short write, whatever the import's size.</summary>
    private const int RevealBatch = 2000;

    /// <summary>
    /// Makes an import's pending items available, a range of ids at a time. Answers that came with an item (Label Studio)
    /// become current first, and hold their slots as submitted answers do, so an item with as many answers as the
    /// overlap is complete. Both steps only touch what is still pending, so a re-run after a crash between them finishes.
    /// </summary>
    internal static Task RevealAsync(LabelHubDbContext db, Guid runId, CancellationToken ct) =>
        ForEachPendingRangeAsync(db, runId, async (from, to) =>
        {
            var brought = db.Annotations
                .Where(a => a.ItemId >= from && a.ItemId <= to && !a.IsCurrent
                    && db.Items.IgnoreQueryFilters().Any(i => i.Id == a.ItemId && i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots));
            // Triggers queue the answered items for the data manager's columns (ItemStatsRefresh).
            await brought.ExecuteUpdateAsync(s => s.SetProperty(a => a.IsCurrent, true), ct);
            return await db.Items.IgnoreQueryFilters()
                .Where(i => i.Id >= from && i.Id <= to && i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.SubmittedCount), ct);
        }, ct);

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
    /// <param name="duplicates">The skipped duplicates in line order (or the first of them).</param>
    /// <param name="duplicatesSkipped">How many were skipped in all; by default as many as are given.</param>
    /// <param name="labelStudio">What Label Studio tasks brought besides their data, when the file had any.</param>
    public static JobOutcome<ImportResult> Success(string fileName, int imported, IReadOnlyList<ImportDuplicate> duplicates, string lineNoun, int? duplicatesSkipped = null,
        LabelStudioImportSummary? labelStudio = null)
    {
        var count = duplicatesSkipped ?? duplicates.Count;
        var text = $"Imported {Plural(imported, "item")} from {fileName}."
            + (count > 0 ? $" Skipped {Plural(count, "exact duplicate")} ({(count == 1 ? lineNoun : PluralOf(lineNoun))} {string.Join(", ", duplicates.Take(10).Select(d => d.Line))}{(count > 10 ? ", …" : "")})." : "");
        if (labelStudio is not null)
        {
            // The import's own sentence stays whole in front, so the catalog translates it and then this one around it.
            text = $"{text} Kept {labelStudio.Answers:N0} Label Studio answers and {labelStudio.Predictions:N0} predictions; skipped {labelStudio.CancelledSkipped:N0} cancelled annotations.";
        }
        return CollectionJobs.Import.Succeeded(text, ImportResult.Success(imported, duplicates, count) with { LabelStudio = labelStudio });
    }

    /// <summary>The item's problem with its "image", if any (see <see cref="ImageUrlErrors"/>).</summary>
    private static ImportRowError? ImageUrlError(ParsedItem item, Guid projectId) =>
        item.Data.TryGetValue(MediaUrls.ImageKey, out var image) && !(image.ValueKind == JsonValueKind.String && MediaUrls.IsAllowed(image.GetString(), projectId))
            ? new ImportRowError(item.Line, $"\"{MediaUrls.ImageKey}\" must be an http(s) URL of an image")
            : null;

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
    public static string ContentHash(Dictionary<string, JsonElement> data) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson(data)));

    /// <summary>The item's size as the database stores it and browsers receive it: JSON with text as it is.</summary>
    private static int StoredSize(Dictionary<string, JsonElement> data) => JsonSerializer.SerializeToUtf8Bytes(data, JsonColumn.Options).Length;

    /// <summary>The item's JSON as UTF-8 with keys sorted: what its content hash is taken over, and what its size is.</summary>
    private static byte[] CanonicalJson(Dictionary<string, JsonElement> data) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new SortedDictionary<string, JsonElement>(data, StringComparer.Ordinal)));

    /// <summary>The first 128 bits of a content hash: what the duplicate checks compare, 16 bytes per item in memory.</summary>
    private static UInt128 HashKey(string contentHash) => UInt128.Parse(contentHash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>
    /// The content hashes of the project's items, read once along the (project, id) index: one read per import instead of a
    /// lookup per batch, and no index on the hash to keep in order on every insert (1,000,000 items take about 40 MB here).
    /// </summary>
    private static async Task<Dictionary<UInt128, long>> ProjectHashesAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct)
    {
        // Each hash with its item's id, so a skipped duplicate can name the item it repeats (the oldest, should there be several).
        var hashes = new Dictionary<UInt128, long>();
        var items = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId).Select(i => new { i.Id, i.ContentHash }).AsAsyncEnumerable();
        await foreach (var item in items.WithCancellation(ct))
        {
            // Items that were not imported (seeded, or from older versions) may carry other keys: they cannot collide with a SHA-256 hex.
            if (item.ContentHash.Length == 64)
            {
                var key = HashKey(item.ContentHash);
                if (!hashes.TryGetValue(key, out var known) || item.Id < known)
                {
                    hashes[key] = item.Id;
                }
            }
        }
        return hashes;
    }

    /// <summary>Which of these content hashes (SHA-256, hex) the project's items already have, with the id of the item that has it.</summary>
    internal static async Task<Dictionary<string, long>> ExistingHashesAsync(LabelHubDbContext db, Guid projectId, List<string> hashes, CancellationToken ct)
    {
        var inProject = await ProjectHashesAsync(db, projectId, ct);
        var existing = new Dictionary<string, long>();
        foreach (var hash in hashes)
        {
            if (hash.Length == 64 && inProject.TryGetValue(HashKey(hash), out var itemId))
            {
                existing.TryAdd(hash, itemId);
            }
        }
        return existing;
    }

    private static string Plural(int count, string noun) => $"{count:N0} {(count == 1 ? noun : PluralOf(noun))}";

    /// <summary>"entry" → "entries", "line" → "lines": the nouns import messages count.</summary>
    private static string PluralOf(string noun) => noun.EndsWith('y') ? noun[..^1] + "ies" : noun + "s";

    /// <summary>The parser reports synchronously; this forwards without blocking the parse on each write.</summary>
    internal sealed class SyncProgress(Func<double, Task> report) : IProgress<double>
    {
        /// <summary>The last fraction reported: how far the reading has come.</summary>
        public double Last { get; private set; }

        public void Report(double value)
        {
            Last = value;
            report(value).GetAwaiter().GetResult();
        }
    }
}
