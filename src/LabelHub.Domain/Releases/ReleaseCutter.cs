using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>
/// The cut of one release (ADR 0020), in passes over the project's items in id order so memory holds ids and split
/// indexes, never answers: (1) Dawid–Skene's fit when asked for, (2) final answers and the filter, giving the planner
/// each kept item's label and group, (3) the plan, (4) the final answers again (aggregation is deterministic) written
/// with their split, page by page, while the manifest's SHA-256 is computed. A failed cut leaves an empty, failed release.
/// </summary>
public sealed class ReleaseCutter(IDbContextFactory<LabelHubDbContext> dbFactory, DuplicateService duplicates, TimeProvider clock)
{
    private const int PageSize = 2000;

    public async Task<JobOutcome<CutReleaseResult>> CutAsync(JobRun run, CutReleaseParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        Release release;
        Project project;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == parameters.ReleaseId, ct)
                ?? throw new NotFoundException("Release");
            project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == release.ProjectId, ct);
            if (release.State == ReleaseState.Ready)
            {
                // A re-run of a finished cut (the job was retried after it wrote its result): nothing to redo.
                return ReleaseJobs.Cut.Succeeded($"Release {release.Number} is cut.", new CutReleaseResult(release.Id, release.Number, release.ItemCount, 0,
                    release.ManifestSha256 ?? "", new SplitSummary([], [], release.ItemCount, 0, 0, 0, 0)));
            }
            // A retried cut starts from nothing.
            await db.ReleaseItems.Where(i => i.ReleaseId == release.Id).ExecuteDeleteAsync(ct);
        }
        var settings = ReleaseService.ReadSettings(release.SettingsJson) ?? throw new InvalidOperationException("The release has no settings.");
        try
        {
            var result = await CutItemsAsync(release, project, settings, progress, ct);
            return ReleaseJobs.Cut.Succeeded($"Release {result.Number}: {result.Items:N0} items ({result.Left:N0} left out by the filter).", result);
        }
        catch (Exception failure)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.ReleaseItems.Where(i => i.ReleaseId == release.Id).ExecuteDeleteAsync(CancellationToken.None);
            await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ReleaseState.Failed)
                .SetProperty(r => r.Error, failure is DomainException ? failure.Message : "The cut failed; see the job's log.")
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow()), CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The passes before anything is written (Dawid–Skene's fit when asked for, final answers and the filter, the split
    /// plan): what a release with these settings would hold. The preview and the cut share them, so the preview shows
    /// exactly the sizes and label balance the cut will give.
    /// </summary>
    public async Task<ReleasePlanning> PlanAsync(Project project, ReleaseSettings settings, long? previousReleaseId, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var schema = project.Schema;
        DawidSkeneFit? fit = null;
        if (settings.Aggregation == AggregationMethod.DawidSkene)
        {
            await progress.ReportAsync(0.02, "Fitting Dawid–Skene", ct);
            var builder = DawidSkeneFit.Start(schema);
            await foreach (var item in ReadAsync(project.Id, ct))
            {
                builder.Add(item.Answers);
            }
            fit = builder.Fit();
        }
        var aggregation = new ReleaseAggregation(schema, settings.Aggregation, fit);
        var previous = await PreviousSplitsAsync(previousReleaseId, ct);
        var groups = settings.Split.Grouping == SplitGrouping.DuplicateGroups ? await DuplicateGroupKeysAsync(project.Id, ct) : null;
        var labelField = settings.Split.LabelField is { } name ? schema.Fields.First(f => f.Name == name) : null;
        var labels = labelField?.Labels ?? [];
        var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);

        await progress.ReportAsync(0.1, "Aggregating the answers", ct);
        var kept = new List<SplitItem>();
        var left = 0;
        await foreach (var item in ReadAsync(project.Id, ct))
        {
            var final = aggregation.Aggregate(item.Answers);
            if (!Passes(settings.Filter, schema, item, final))
            {
                left++;
                continue;
            }
            var label = labelField is not null && final.Answers.TryGetValue(labelField.Name, out var answer)
                && answer.Value.ValueKind == JsonValueKind.String && labelIndex.TryGetValue(answer.Value.GetString()!, out var index)
                ? index : SplitItem.Unlabeled;
            long? group = settings.Split.Grouping switch
            {
                SplitGrouping.None => null,
                SplitGrouping.DuplicateGroups => groups!.TryGetValue(item.Answers.ItemId, out var key) ? key : null,
                SplitGrouping.DataKey => item.Data.TryGetValue(settings.Split.GroupKeyName!, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    ? SplitPlanner.DataKeyGroup(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
                    : null,
            };
            kept.Add(new SplitItem(item.Answers.ItemId, group, label, previous.TryGetValue(item.Answers.ItemId, out var split) ? split : SplitItem.NotInPreviousRelease));
        }

        await progress.ReportAsync(0.4, $"Planning the splits of {kept.Count:N0} items", ct);
        return new ReleasePlanning(SplitPlanner.Plan(settings.Split, labels, kept), left, aggregation);
    }

    private async Task<CutReleaseResult> CutItemsAsync(Release release, Project project, ReleaseSettings settings, IJobProgress progress, CancellationToken ct)
    {
        var (plan, left, aggregation) = await PlanAsync(project, settings, release.PreviousReleaseId, progress, ct);

        await progress.ReportAsync(0.45, "Writing the release", ct);
        using var manifest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var written = 0;
        var rows = new List<ReleaseItem>(PageSize);
        // Counts for the datasheet and the diff against the previous release, fed row by row as they are written.
        var recorder = await ReleaseCutRecorder.StartAsync(dbFactory, project, release.PreviousReleaseId, ct);
        await foreach (var item in ReadAsync(project.Id, ct))
        {
            var position = plan.ItemIds.BinarySearch(item.Answers.ItemId);
            if (position < 0)
            {
                continue;
            }
            var final = aggregation.Aggregate(item.Answers);
            var splitIndex = plan.SplitIndexes[position];
            rows.Add(new ReleaseItem
            {
                ReleaseId = release.Id,
                ItemId = item.Answers.ItemId,
                Split = splitIndex,
                ContentHash = item.ContentHash,
                AnswersJson = JsonSerializer.Serialize(final.Answers, JsonColumn.Options),
                ChangeReason = await recorder.AddAsync(item.Answers.ItemId, splitIndex, final, ct),
            });
            manifest.AppendData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{item.Answers.ItemId}\t{SplitNames.All[splitIndex]}\t{item.ContentHash}\n")));
            if (rows.Count == PageSize)
            {
                written += await WriteAsync(rows, ct);
                await progress.ReportAsync(0.45 + (0.5 * written / Math.Max(1, plan.Count)), $"Wrote {written:N0} of {plan.Count:N0} items", ct);
            }
        }
        written += await WriteAsync(rows, ct);
        var sha = Convert.ToHexStringLower(manifest.GetHashAndReset());
        var record = await recorder.FinishAsync(ct);
        var finishedAt = clock.GetUtcNow();
        var datasheet = await new ReleaseDatasheetGatherer(dbFactory).RenderAsync(release, project, settings, record, finishedAt, ct);

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ReleaseState.Ready)
                .SetProperty(r => r.ItemCount, written)
                .SetProperty(r => r.ManifestSha256, sha)
                .SetProperty(r => r.SummaryJson, JsonSerializer.Serialize(plan.Summary, JsonColumn.Options))
                // Written with State=Ready: the trigger refuses any later change of a finished release.
                .SetProperty(r => r.DiffJson, record.Diff is null ? null : JsonSerializer.Serialize(record.Diff, JsonColumn.Options))
                .SetProperty(r => r.Datasheet, datasheet)
                .SetProperty(r => r.FinishedAt, finishedAt), ct);
        }
        return new CutReleaseResult(release.Id, release.Number, written, left, sha, plan.Summary);
    }

    /// <summary>The filter of ADR 0020: final answers to the required fields, reviewed, sure enough.</summary>
    private static bool Passes(ReleaseFilter filter, LabelSchema schema, ReadItem item, ItemAggregation final)
    {
        if (filter.RequireFinalAnswer && schema.Fields.Any(f => f.Required && !final.Answers.ContainsKey(f.Name)))
        {
            return false;
        }
        if (filter.ReviewedOnly && !item.Answers.Answers.Any(a => a.Adjudicated))
        {
            return false;
        }
        return filter.MinConfidence <= 0 || final.Answers.Values.All(a => a.Confidence >= filter.MinConfidence);
    }

    private async Task<Dictionary<long, int>> PreviousSplitsAsync(long? previousId, CancellationToken ct)
    {
        if (previousId is null)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == previousId).ToDictionaryAsync(i => i.ItemId, i => (int)i.Split, ct);
    }

    /// <summary>Each grouped item's key: its group's smallest item id, the same whichever cleansing run found it.</summary>
    private async Task<Dictionary<long, long>> DuplicateGroupKeysAsync(Guid projectId, CancellationToken ct)
    {
        var groupOf = await duplicates.GroupsOfItemsAsync(projectId, ct);
        var smallest = groupOf.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Min(p => p.Key));
        return groupOf.ToDictionary(p => p.Key, p => smallest[p.Value]);
    }

    private async Task<int> WriteAsync(List<ReleaseItem> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.ReleaseItems.AddRange(rows);
        await db.SaveChangesAsync(ct);
        var count = rows.Count;
        rows.Clear();
        return count;
    }

    private sealed record ReadItem(ItemAnswers Answers, string ContentHash, Dictionary<string, JsonElement> Data);

    /// <summary>The project's items that can be released (not excluded as duplicates, not still being imported), in id order, with their current answers that were not rejected.</summary>
    private async IAsyncEnumerable<ReadItem> ReadAsync(Guid projectId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var items = await db.Items.AsNoTracking()
                .Where(i => i.ProjectId == projectId && i.Id > after && i.DuplicateOfItemId == null && i.TakenSlots < Item.PendingSlots)
                .OrderBy(i => i.Id).Take(PageSize)
                .Select(i => new { i.Id, i.ContentHash, i.Data, i.IsGold, i.GoldAnswer })
                .ToListAsync(ct);
            if (items.Count == 0)
            {
                yield break;
            }
            var first = items[0].Id;
            var last = items[^1].Id;
            var answers = (await db.Annotations.AsNoTracking()
                    .Where(a => a.ProjectId == projectId && a.ItemId >= first && a.ItemId <= last && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
                    .Select(a => new { a.ItemId, a.Id, a.AnnotatorId, a.Values, a.ReviewStatus, a.Reason })
                    .ToListAsync(ct))
                .ToLookup(a => a.ItemId);
            foreach (var item in items)
            {
                var given = answers[item.Id].Select(a => new AggregationAnswer(a.Id, a.AnnotatorId, a.Values, AggregationAnswer.IsAdjudicated(a.ReviewStatus, a.Reason))).ToList();
                yield return new ReadItem(new ItemAnswers(item.Id, given, item.IsGold ? item.GoldAnswer : null), item.ContentHash, item.Data);
            }
            after = last;
        }
    }
}

/// <summary>What a release with given settings would hold: the split plan, the items the filter left out, and the aggregation to write them with.</summary>
public sealed record ReleasePlanning(SplitPlan Plan, int Left, ReleaseAggregation Aggregation);
