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
public sealed partial class ReleaseCutter(IDbContextFactory<LabelHubDbContext> dbFactory, DuplicateService duplicates, SqliteWriteGate writeGate, ReleaseVerifier verifier, TimeProvider clock)
{
    /// <summary>Items read, and release rows written, per page (a page's answers are one query; its rows one bulk insert).</summary>
    public const int PageSize = 5000;

    private static readonly BulkInsert<ReleaseItem> RowWriter = new(
        [nameof(ReleaseItem.ReleaseId), nameof(ReleaseItem.ItemId), nameof(ReleaseItem.Split), nameof(ReleaseItem.ContentHash), nameof(ReleaseItem.AnswersJson), nameof(ReleaseItem.ChangeReason)],
        (row, column) => column switch
        {
            0 => row.ReleaseId,
            1 => row.ItemId,
            2 => row.Split,
            3 => row.ContentHash,
            4 => row.AnswersJson,
            _ => row.ChangeReason,
        });

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
            await foreach (var item in ReadAsync(project.Id, ItemColumns.None, ct))
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
        // Synthetic items are left out unless asked for, and then kept only when people confirmed the class asked for.
        var generatorFields = settings.Filter.IncludeSynthetic ? await GeneratorFieldsAsync(project.Id, ct) : [];
        var syntheticNotAskedFor = 0;
        var syntheticNotConfirmed = 0;
        // Items the filter leaves out because a field's vote tied: the datasheet says how many await adjudication.
        var tiedLeftOut = new long[schema.Fields.Count];
        // Items' data is large: read only when the split groups by one of its keys.
        var columns = settings.Split.Grouping == SplitGrouping.DataKey ? ItemColumns.Data : ItemColumns.None;
        await foreach (var item in ReadAsync(project.Id, columns, ct))
        {
            var final = aggregation.Aggregate(item.Answers);
            if (item.SyntheticGeneratorId is { } generatorId && !(settings.Filter.IncludeSynthetic && Confirmed(generatorFields, generatorId, item.SyntheticLabel, final)))
            {
                left++;
                if (settings.Filter.IncludeSynthetic)
                {
                    syntheticNotConfirmed++;
                }
                else
                {
                    syntheticNotAskedFor++;
                }
                continue;
            }
            if (!Passes(settings.Filter, schema, item, final))
            {
                left++;
                for (var f = 0; f < schema.Fields.Count; f++)
                {
                    if (final.Missing.TryGetValue(schema.Fields[f].Name, out var missing) && missing == NoFinalAnswerReason.Tied)
                    {
                        tiedLeftOut[f]++;
                    }
                }
                continue;
            }
            var label = labelField is not null && final.Answers.TryGetValue(labelField.Name, out var answer)
                && answer.Value.ValueKind == JsonValueKind.String && labelIndex.TryGetValue(answer.Value.GetString()!, out var index)
                ? index : SplitItem.Unlabeled;
            long? group = settings.Split.Grouping switch
            {
                SplitGrouping.None => null,
                SplitGrouping.DuplicateGroups => groups!.TryGetValue(item.Answers.ItemId, out var key) ? key : null,
                SplitGrouping.DataKey => item.Data!.TryGetValue(settings.Split.GroupKeyName!, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    ? SplitPlanner.DataKeyGroup(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
                    : null,
            };
            kept.Add(new SplitItem(item.Answers.ItemId, group, label, previous.SplitOf(item.Answers.ItemId)));
        }

        await progress.ReportAsync(0.4, $"Planning the splits of {kept.Count:N0} items", ct);
        return new ReleasePlanning(SplitPlanner.Plan(settings.Split, labels, kept), left, aggregation,
            [.. schema.Fields.Select((f, i) => (f.Name, tiedLeftOut[i])).Where(t => t.Item2 > 0)])
        {
            SyntheticNotAskedFor = syntheticNotAskedFor,
            SyntheticNotConfirmed = syntheticNotConfirmed,
        };
    }

    /// <summary>The field each of the project's generators was trained on (a handful of rows, read once per pass).</summary>
    private async Task<Dictionary<Guid, string>> GeneratorFieldsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Generators.AsNoTracking().Where(g => g.ProjectId == projectId).ToDictionaryAsync(g => g.Id, g => g.Field, ct);
    }

    /// <summary>A synthetic item people validated: its final answer to the generator's field is the class the generator was asked for.</summary>
    private static bool Confirmed(Dictionary<Guid, string> generatorFields, Guid generatorId, string? askedFor, ItemAggregation final) =>
        askedFor is not null && generatorFields.TryGetValue(generatorId, out var field) && final.Answers.TryGetValue(field, out var answer)
        && answer.Value.ValueKind == JsonValueKind.String && string.Equals(answer.Value.GetString(), askedFor, StringComparison.Ordinal);

    private async Task<CutReleaseResult> CutItemsAsync(Release release, Project project, ReleaseSettings settings, IJobProgress progress, CancellationToken ct)
    {
        var (plan, left, aggregation, tiedLeftOut) = await PlanAsync(project, settings, release.PreviousReleaseId, progress, ct);

        await progress.ReportAsync(0.45, "Writing the release", ct);
        using var manifest = new ReleaseManifest();
        var written = 0;
        var rows = new List<ReleaseItem>(PageSize);
        // Counts for the datasheet and the diff against the previous release, fed row by row as they are written.
        var recorder = await ReleaseCutRecorder.StartAsync(dbFactory, project, release.PreviousReleaseId, ct);
        // A full page is written while the next one is read and aggregated: the database works beside this thread.
        var writing = Task.FromResult(0);
        try
        {
            await foreach (var item in ReadAsync(project.Id, ItemColumns.ContentHash, ct))
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
                    ContentHash = item.ContentHash!,
                    AnswersJson = JsonSerializer.Serialize(final.Answers, JsonColumn.Options),
                    ChangeReason = await recorder.AddAsync(item.Answers.ItemId, splitIndex, final, ct),
                });
                manifest.Add(item.Answers.ItemId, splitIndex, item.ContentHash!);
                if (rows.Count == PageSize)
                {
                    written += await writing;
                    writing = WriteAsync(rows, ct);
                    rows = new List<ReleaseItem>(PageSize);
                    await progress.ReportAsync(0.45 + (0.5 * written / Math.Max(1, plan.Count)), $"Wrote {written:N0} of {plan.Count:N0} items", ct);
                }
            }
            written += await writing;
            written += await WriteAsync(rows, ct);
        }
        catch
        {
            // Nothing may still be writing when the failed cut clears the release's rows (WhenAny waits without throwing).
            await Task.WhenAny(writing);
            throw;
        }
        var sha = manifest.Finish();
        var record = await recorder.FinishAsync(ct);
        record = record with { Ties = CombineTies(project.Schema, record.Ties, tiedLeftOut) };
        var finishedAt = clock.GetUtcNow();
        var datasheet = await new ReleaseDatasheetGatherer(dbFactory).RenderAsync(release, project, settings, record, finishedAt, ct);
        var summaryJson = JsonSerializer.Serialize(plan.Summary, JsonColumn.Options);

        // The reproducibility check, on the rows as stored: recorded in the same update that freezes the release.
        await progress.ReportAsync(0.96, "Checking the release", ct);
        var check = await verifier.CheckRowsAsync(new Release { Id = release.Id, ProjectId = release.ProjectId, Number = release.Number, SummaryJson = summaryJson },
            written, sha, ReleaseService.NoProgress.Instance, ct);

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ReleaseState.Ready)
                .SetProperty(r => r.ItemCount, written)
                .SetProperty(r => r.ManifestSha256, sha)
                .SetProperty(r => r.SummaryJson, summaryJson)
                .SetProperty(r => r.VerifiedAt, check.VerifiedAt)
                .SetProperty(r => r.VerifiedSha256, check.VerifiedSha256)
                .SetProperty(r => r.VerificationProblem, check.Problem)
                // Written with State=Ready: the trigger refuses any later change of a finished release.
                .SetProperty(r => r.DiffJson, record.Diff is null ? null : JsonSerializer.Serialize(record.Diff, JsonColumn.Options))
                .SetProperty(r => r.Datasheet, datasheet.English)
                .SetProperty(r => r.DatasheetKorean, datasheet.Korean)
                .SetProperty(r => r.FinishedAt, finishedAt), ct);
        }
        return new CutReleaseResult(release.Id, release.Number, written, left, sha, plan.Summary);
    }

    /// <summary>Tied fields of the items released and of those left out for it, per field in schema order: all of them await adjudication.</summary>
    private static List<(string Field, long Items)> CombineTies(LabelSchema schema, IReadOnlyList<(string Field, long Items)> released, IReadOnlyList<(string Field, long Items)> leftOut) =>
        [.. schema.Fields.Select(f => (f.Name, released.Where(t => t.Field == f.Name).Sum(t => t.Items) + leftOut.Where(t => t.Field == f.Name).Sum(t => t.Items)))
            .Where(t => t.Item2 > 0)];

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

    /// <summary>Each grouped item's key: its group's smallest item id, the same whichever cleansing run found it.</summary>
    private async Task<Dictionary<long, long>> DuplicateGroupKeysAsync(Guid projectId, CancellationToken ct)
    {
        var groupOf = await duplicates.GroupsOfItemsAsync(projectId, ct);
        var smallest = groupOf.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Min(p => p.Key));
        return groupOf.ToDictionary(p => p.Key, p => smallest[p.Value]);
    }

    /// <summary>One page of rows in one bulk insert (COPY, or one SQLite transaction queued at the write gate).</summary>
    private async Task<int> WriteAsync(List<ReleaseItem> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // Raw ADO.NET, which the write interceptor does not see: it queues at the write gate itself.
            await writeGate.RunAsync(() => RowWriter.InsertAsync(db, rows, ct), ct);
        }
        return rows.Count;
    }
}

/// <summary>What a release with given settings would hold: the split plan, the items the filter left out, and the aggregation to write them with.</summary>
/// <param name="TiedLeftOut">Per field (schema order, only those with any), items the filter left out because the field's vote tied.</param>
public sealed record ReleasePlanning(SplitPlan Plan, int Left, ReleaseAggregation Aggregation, IReadOnlyList<(string Field, long Items)> TiedLeftOut)
{
    /// <summary>Of <see cref="Left"/>: synthetic items the filter did not ask for.</summary>
    public int SyntheticNotAskedFor { get; init; }

    /// <summary>Of <see cref="Left"/>: synthetic items asked for whose final answer is not the class asked for (or is missing).</summary>
    public int SyntheticNotConfirmed { get; init; }
}
