using System.Diagnostics;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Workers.Learning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Cleansing;

/// <summary>
/// The label-error detector (<see cref="CleansingJobs.LabelErrors"/>, docs/cleansing/label-errors.md): each item's
/// given label (its answers' majority), K-fold out-of-sample probabilities from models of the project's kind
/// (<see cref="OutOfFoldProbabilities"/>), confident learning, and one finding per answer that gave a suspect label,
/// recorded through <see cref="CleansingRunLog"/>.
/// </summary>
public sealed class LabelErrorDetection(IDbContextFactory<LabelHubDbContext> dbFactory, LearningData data, CleansingAnswers answers, CleansingRunLog log,
    ILearningRuntime runtime, TorchThread torch, ILogger<LabelErrorDetection> logger)
{
    /// <summary>Items encoded per step: bounds the images held at once while reading.</summary>
    public const int EncodeChunk = 2_000;

    public async Task<LabelErrorResult> RunAsync(JobRun job, LabelErrorParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var projectId = job.ProjectId ?? throw new InvalidOperationException($"Job {job.Id} has no project.");
        var learning = await data.ProjectAsync(projectId, ct);
        var field = learning.Project.Schema.Field(parameters.Field) is { Kind: FieldKind.Choice } f
            ? f
            : throw new ValidationException("field", $"'{parameters.Field}' is not a single-choice field of this project.");
        var project = learning with { Field = field };
        var training = ActiveLearningRound.Training with { MaxEpochs = parameters.MaxEpochs, Seed = parameters.Seed };

        await progress.ReportAsync(0.02, "Reading the answers", ct);
        var given = CleansingAnswers.GivenLabels(await answers.ChoiceAnswersAsync(projectId, field, ct), field.Labels);
        var minimum = parameters.Folds * CleansingDetectors.MinItemsPerFold;
        if (given.Count < minimum)
        {
            throw new ValidationException("folds", $"{parameters.Folds} folds need at least {minimum} labeled items; the project has {given.Count}.");
        }
        if (given.Select(g => g.Label).Distinct().Count() < 2)
        {
            throw new ValidationException("field", "The answers use only one label; finding label errors needs at least two.");
        }

        await progress.ReportAsync(0.05, $"Preparing {given.Count:N0} labeled items", ct);
        var (dataset, kept, skipped) = await EncodeAsync(project, given, ct);
        if (kept.Count < minimum)
        {
            throw new ValidationException("folds", $"{parameters.Folds} folds need at least {minimum} labeled items; the project has {kept.Count}.");
        }
        // The run is recorded once the data is known to be usable: a refused run leaves no row behind.
        var run = await log.StartAsync(projectId, CleansingRunKind.LabelErrors, job.Id, parameters.StartedById, Settings(parameters, project, training, null), ct: ct);
        OutOfFold outOfFold;
        ConfidentLearningResult result;
        IReadOnlyList<CleansingFinding> findings;
        try
        {
            var spec = new ClassifierSpec(project.Kind, dataset.SampleShape, field.Labels.Count, runtime.Availability.Device ?? "cpu");
            outOfFold = await OutOfFoldProbabilities.ComputeAsync(torch, spec, dataset, [.. kept.Select(g => g.ItemId)], parameters.Folds, training,
                step =>
                {
                    // The model thread waits for the row write: progress is written once per epoch.
                    var done = (step.Fold + ((double)step.Epoch / step.MaxEpochs)) / step.FoldCount;
                    progress.ReportAsync(0.1 + (0.8 * done),
                        $"Fold {step.Fold + 1} of {step.FoldCount}: epoch {step.Epoch}, validation accuracy {step.ValidationAccuracy:P1}", ct).GetAwaiter().GetResult();
                }, ct, shiftViews: true);

            await progress.ReportAsync(0.92, "Finding the suspect labels", ct);
            var labels = dataset.Labels;
            result = ConfidentLearning.FindLabelIssues(labels, outOfFold.Probabilities, field.Labels.Count, new ConfidentLearningOptions(parameters.Filter, parameters.Ranking, MaxSelfConfidence: parameters.MaxSelfConfidence));
            findings = LabelErrorFindings.Build(field, kept, outOfFold.Probabilities, result);
            await log.AddFindingsAsync(run, findings, ct);
            await RecordFoldsAsync(run, Settings(parameters, project, training, outOfFold.Folds), ct);
            await log.FinishAsync(run, corrections: 0, ct);
        }
        catch
        {
            // A run that failed or was cancelled half way leaves no run and no findings behind.
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.CleansingFindings.Where(x => x.RunId == run.Id).ExecuteDeleteAsync(CancellationToken.None);
            await db.CleansingRuns.Where(r => r.Id == run.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        var meanAccuracy = outOfFold.Folds.Count == 0 ? 0 : outOfFold.Folds.Average(x => x.HeldOutAccuracy);
        var outcome = new LabelErrorResult(run.Id, field.Name, project.Kind.ToString(), kept.Count, skipped, result.Issues.Count, findings.Count,
            result.EstimatedIssueCount, (double)result.EstimatedIssueCount / kept.Count, meanAccuracy, outOfFold.Folds, field.Labels, result.NoiseMatrix,
            clock.Elapsed.TotalSeconds);
        logger.LogInformation("Label errors in project {ProjectId}: {Flagged} of {Items} items flagged, fold accuracy {Accuracy:P1}, {Seconds:F1} s",
            projectId, outcome.Flagged, outcome.Items, meanAccuracy, outcome.Seconds);
        return outcome;
    }

    private static object Settings(LabelErrorParameters parameters, LearningProject project, TrainingOptions training, IReadOnlyList<LabelErrorFold>? folds) => new
    {
        field = parameters.Field,
        folds = parameters.Folds,
        ranking = parameters.Ranking.ToString(),
        filter = parameters.Filter.ToString(),
        maxSelfConfidence = parameters.MaxSelfConfidence,
        maxEpochs = training.MaxEpochs,
        patience = training.Patience,
        shiftPixels = project.Kind == ModelKind.ImageCnn ? training.ShiftPixels : 0,
        // Held-out images are scored as they are and moved one pixel each way, the five views averaged.
        scoredViews = project.Kind == ModelKind.ImageCnn ? 5 : 1,
        seed = parameters.Seed,
        modelKind = project.Kind.ToString(),
        foldAccuracies = folds?.Select(x => Math.Round(x.HeldOutAccuracy, 4)).ToArray(),
    };

    /// <summary>The run's settings once the folds are known: the report shows how well the models that judged the labels did.</summary>
    private async Task RecordFoldsAsync(CleansingRun run, object settings, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(settings, JsonColumn.Options);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.CleansingRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.SettingsJson, json), ct);
        run.SettingsJson = json;
    }

    /// <summary>The items as model input, a chunk at a time; items whose data cannot be read (no stored image…) are left out and counted.</summary>
    private async Task<(Dataset Data, List<GivenLabel> Kept, int Skipped)> EncodeAsync(LearningProject project, IReadOnlyList<GivenLabel> given, CancellationToken ct)
    {
        var sample = await data.ItemsAsync([.. given.Take(200).Select(g => g.ItemId)], ct);
        var encoder = await FeatureEncoder.FitAsync(project, [.. sample.Values], data, ct);
        var size = encoder.Input.Shape.Aggregate(1, (a, b) => a * b);
        var features = new List<float[]>();
        var kept = new List<GivenLabel>(given.Count);
        var skipped = 0;
        string? problem = null;
        foreach (var chunk in given.Chunk(EncodeChunk))
        {
            var items = await data.ItemsAsync([.. chunk.Select(g => g.ItemId)], ct);
            var present = chunk.Where(g => items.ContainsKey(g.ItemId)).ToList();
            var encoded = await encoder.EncodeAsync(project.Project.Id, [.. present.Select(g => (g.ItemId, items[g.ItemId]))], [.. present.Select(g => g.Label)], data, ct);
            var byId = present.ToDictionary(g => g.ItemId);
            kept.AddRange(encoded.ItemIds.Select(id => byId[id]));
            features.Add(encoded.Dataset.Features);
            skipped += chunk.Length - encoded.ItemIds.Length;
            problem ??= encoded.FirstProblem;
        }
        if (kept.Count == 0)
        {
            throw new InvalidOperationException($"No labeled item could be read as model input. {problem}");
        }
        var all = new float[(long)kept.Count * size];
        var offset = 0;
        foreach (var block in features)
        {
            block.CopyTo(all, offset);
            offset += block.Length;
        }
        return (new Dataset(all, (int[])encoder.Input.Shape.Clone(), [.. kept.Select(g => g.Label)]), kept, skipped);
    }
}
