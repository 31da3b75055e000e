using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Workers.Collection;

/// <summary>
/// Parses an uploaded file and stores its items in one transaction: either every item arrives or none does.
/// A bad file fails with every bad row's line number. Exact duplicates (of each other or of items already in
/// the project) are skipped and reported.
/// </summary>
public sealed class ImportJob(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock) : IJobHandler
{
    private const int InsertBatch = 2000;

    public string Kind => JobKinds.Import;

    public async Task<JobOutcome> RunAsync(JobRun run, IJobProgress progress, CancellationToken ct)
    {
        var parameters = JsonSerializer.Deserialize<ImportParameters>(run.Parameters, JsonColumn.Options)
            ?? throw new InvalidOperationException("Import parameters are missing.");
        var projectId = run.ProjectId ?? throw new InvalidOperationException("An import belongs to a project.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A re-run after a crash that happened after the commit finds its items and reports them.
        var alreadyImported = await db.Items.CountAsync(i => i.ImportJobRunId == run.Id, ct);
        if (alreadyImported > 0)
        {
            return new JobOutcome(true, $"Imported {alreadyImported:N0} items from {parameters.FileName}.",
                JsonSerializer.Serialize(new ImportSummary(alreadyImported, 0, []), JsonColumn.Options));
        }

        var bytes = await db.StoredFileContents.AsNoTracking().Where(c => c.FileId == parameters.FileId).Select(c => c.Bytes).SingleOrDefaultAsync(ct)
            ?? throw new InvalidOperationException("The uploaded file is gone.");
        await progress.ReportAsync(0, $"Reading {parameters.FileName}", ct);
        var parsingProgress = new SyncProgress(fraction => progress.ReportAsync(fraction * 0.6, $"Reading {parameters.FileName}", ct));
        var parsed = ItemFileParser.Parse(new MemoryStream(bytes, writable: false), parameters.Format, parsingProgress, ct);
        if (!parsed.Succeeded)
        {
            // Past the limit the parser stops and adds one closing "too many errors" line.
            var tooMany = parsed.Errors.Count > ItemFileParser.MaxErrorsReported;
            var count = tooMany ? $"more than {ItemFileParser.MaxErrorsReported:N0} bad rows" : Plural(parsed.Errors.Count, "bad row");
            var first = parsed.Errors[0];
            return new JobOutcome(false,
                $"{parameters.FileName} has {count}; nothing was imported. First: line {first.Line}: {first.Message}",
                JsonSerializer.Serialize(new ImportRowErrors(parsed.Errors, parsed.Errors.Count), JsonColumn.Options));
        }

        await progress.ReportAsync(0.6, "Checking for duplicates", ct);
        var now = clock.GetUtcNow();
        var hashes = parsed.Items.Select(i => ContentHash(i.Data)).ToList();
        var existing = await ExistingHashesAsync(db, projectId, hashes, ct);
        var seen = new HashSet<string>(existing);
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
                CreatedAt = now,
            });
        }

        await progress.ReportAsync(0.7, $"Storing {items.Count:N0} items", ct);
        // Progress is not written during the transaction: on SQLite it would wait for this very writer.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var batch in items.Chunk(InsertBatch))
            {
                db.Items.AddRange(batch);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            await transaction.CommitAsync(ct);
        }

        var summary = new ImportSummary(items.Count, duplicateLines.Count, [.. duplicateLines.Take(1000)]);
        var text = $"Imported {Plural(items.Count, "item")} from {parameters.FileName}."
            + (duplicateLines.Count > 0 ? $" Skipped {Plural(duplicateLines.Count, "exact duplicate")} ({(duplicateLines.Count == 1 ? "line" : "lines")} {string.Join(", ", duplicateLines.Take(10))}{(duplicateLines.Count > 10 ? ", …" : "")})." : "");
        return new JobOutcome(true, text, JsonSerializer.Serialize(summary, JsonColumn.Options));
    }

    /// <summary>SHA-256 over the item's JSON with keys sorted, so key order does not make a different item.</summary>
    public static string ContentHash(Dictionary<string, JsonElement> data)
    {
        var canonical = JsonSerializer.Serialize(new SortedDictionary<string, JsonElement>(data, StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static async Task<HashSet<string>> ExistingHashesAsync(LabelHubDbContext db, Guid projectId, List<string> hashes, CancellationToken ct)
    {
        var found = new HashSet<string>();
        foreach (var chunk in hashes.Distinct().Chunk(1000))
        {
            var list = chunk.ToList();
            found.UnionWith(await db.Items.Where(i => i.ProjectId == projectId && list.Contains(i.ContentHash)).Select(i => i.ContentHash).ToListAsync(ct));
        }
        return found;
    }

    private static string Plural(int count, string noun) => $"{count:N0} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>The parser reports synchronously; this forwards without blocking the parse on each write.</summary>
    private sealed class SyncProgress(Func<double, Task> report) : IProgress<double>
    {
        public void Report(double value) => report(value).GetAwaiter().GetResult();
    }
}
