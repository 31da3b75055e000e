using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Learning;

/// <param name="Field">The single-choice field the model learns (null: the schema has none, so nothing can be learned).</param>
/// <param name="Labeled">Items with an aggregated answer to the field (or a gold answer).</param>
/// <param name="Pool">Items nobody has answered yet (gold items excluded): what a round scores.</param>
/// <param name="ActiveJob">A round or simulation queued or running now.</param>
public sealed record LearningStatus(
    LearningSettings Settings,
    LearningAvailability Availability,
    string? Field,
    ModelKind? Kind,
    int Labeled,
    int Pool,
    int AnswersSinceLastRound,
    JobRunInfo? ActiveJob,
    ModelVersionInfo? LatestModel,
    LearningCurveInfo Curve);

public sealed record ModelVersionInfo(
    Guid Id, int Version, string Name, ModelKind Kind, string Field, IReadOnlyList<string> Labels, int TrainCount, int ValidationCount,
    int AnswersSeen, double ValidationAccuracy, double ValidationLoss, int BestEpoch, IReadOnlyList<EpochPoint> Epochs,
    double TrainingSeconds, DateTimeOffset TrainedAt, Guid JobRunId, Guid TrainingSetFileId, Guid CheckpointFileId, ModelInput Input)
{
    public static ModelVersionInfo Of(ModelVersion m) => new(
        m.Id, m.Version, m.Name, m.Kind, m.Field, m.Labels, m.TrainCount, m.ValidationCount, m.AnswersSeen, m.ValidationAccuracy,
        m.ValidationLoss, m.BestEpoch, m.Curve.Epochs, m.TrainingSeconds, m.TrainedAt, m.JobRunId, m.TrainingSetFileId, m.CheckpointFileId, m.Input);
}

public sealed record RoundInfo(
    Guid Id, int Number, Guid JobRunId, RoundTrigger Trigger, SamplingStrategy Strategy, bool Diversity, bool ColdStart, int? ModelVersion,
    double? ValidationAccuracy, int LabeledCount, int PoolSize, int Picked, double? ExpectedAccuracy, int? GainLabels, double ScoringSeconds,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <param name="Item">The item's data, for a preview of what was chosen.</param>
/// <param name="Answered">Whether someone has answered it since.</param>
public sealed record RoundPickInfo(long ItemId, int Rank, double Score, string Reason, string? PredictedLabel, double? Confidence, bool Answered,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Item);

public sealed record RoundDetail(RoundInfo Round, IReadOnlyList<RoundPickInfo> Picks);

/// <summary>Validation accuracy by training-set size across the models so far, and what more labels would bring.</summary>
/// <param name="Fit">The inverse power law fitted to the points; null with fewer than three distinct sizes.</param>
/// <param name="NextLabels">How many more labels <see cref="ExpectedAccuracy"/> assumes (four batches).</param>
public sealed record LearningCurveInfo(IReadOnlyList<CurvePoint> Points, LearningCurveFit? Fit, int? NextLabels, double? ExpectedAccuracy);

/// <summary>A simulation run and, once finished, its curves.</summary>
public sealed record SimulationInfo(JobRunInfo Job, SimulationJobParameters? Parameters, SimulationJobResult? Result);

/// <summary>
/// The Learning stage for managers: settings, starting rounds and simulations, and what models and rounds there were.
/// The training itself runs in Workers (<see cref="LearningJobs"/>) on data from <see cref="LearningData"/>.
/// </summary>
public sealed class LearningService(
    IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, ILearningRuntime runtime, TimeProvider clock)
{
    public const int GainBatches = 4;

    public async Task<LearningStatus> StatusAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var field = LearningData.FieldOf(project);
        var labeled = field is null ? 0 : await LearningData.CountLabeledAsync(db, projectId, ct);
        var pool = await LearningData.PoolQuery(db, projectId).CountAsync(ct);
        var lastRound = await db.LearningRounds.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.Number).Select(r => (long?)r.UpToAnnotationId).FirstOrDefaultAsync(ct) ?? 0;
        var since = await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.Id > lastRound, ct);
        var active = await ActiveJobAsync(db, projectId, ct);
        var models = await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId).OrderBy(m => m.Version).ToListAsync(ct);
        var kind = models.LastOrDefault()?.Kind ?? await LearningData.ChooseKindAsync(db, project, ct);
        return new LearningStatus(
            project.Learning, runtime.Availability, field?.Name, kind, labeled, pool, since,
            active is null ? null : JobRunService.ToInfo(active),
            models.Count == 0 ? null : ModelVersionInfo.Of(models[^1]),
            CurveOf(models, project.Learning.BatchSize));
    }

    public async Task<LearningSettings> UpdateSettingsAsync(Actor actor, Guid projectId, LearningSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var errors = new ValidationErrors();
        if (settings.Field is { } name)
        {
            var field = project.Schema.Field(name);
            if (field is null || field.Kind != FieldKind.Choice)
            {
                errors.Add("field", $"'{name}' is not a single-choice field of this project; a model learns one single-choice field.");
            }
        }
        if (!Enum.IsDefined(settings.Strategy))
        {
            errors.Add("strategy", "Strategies: Random, LeastConfidence, Margin, Entropy, Bald.");
        }
        if (settings.BatchSize is < LearningSettings.MinBatchSize or > LearningSettings.MaxBatchSize)
        {
            errors.Add("batchSize", $"A batch holds {LearningSettings.MinBatchSize} to {LearningSettings.MaxBatchSize:N0} items.");
        }
        if (settings.RoundEveryAnswers is < LearningSettings.MinRoundEvery)
        {
            errors.Add("roundEveryAnswers", $"Run a round after at least {LearningSettings.MinRoundEvery} new answers, or leave it empty for rounds on demand only.");
        }
        if (settings.MinLabelsForModel < LearningSettings.MinLabelsForModelFloor)
        {
            errors.Add("minLabelsForModel", $"A model needs at least {LearningSettings.MinLabelsForModelFloor} labeled items.");
        }
        errors.ThrowIfAny();
        // Access checks load projects untracked; attach it to write the change.
        db.Projects.Attach(project);
        project.Learning = settings with { Field = string.IsNullOrWhiteSpace(settings.Field) ? null : settings.Field };
        project.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return project.Learning;
    }

    /// <summary>Starts a round now. Refused while the model runtime is unavailable or another learning job runs.</summary>
    public async Task<JobRunInfo> StartRoundAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        await EnsureCanStartAsync(db, project, ct);
        return await jobs.StartAsync(LearningJobs.Round, projectId, actor.UserId, new RoundJobParameters(projectId, RoundTrigger.Manual), ct);
    }

    /// <summary>Starts a simulation on the project's labeled items.</summary>
    public async Task<JobRunInfo> StartSimulationAsync(Actor actor, Guid projectId, SimulationRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        await EnsureCanStartAsync(db, project, ct);
        var field = LearningData.FieldOf(project)!;
        var labeled = await LearningData.CountLabeledAsync(db, projectId, ct);
        var parameters = request.Validate(projectId, field.Name, labeled);
        return await jobs.StartAsync(LearningJobs.Simulate, projectId, actor.UserId, parameters, ct);
    }

    /// <summary>Starts a round in every project whose <see cref="LearningSettings.RoundEveryAnswers"/> new answers came in (the minutely upkeep).</summary>
    public async Task<int> StartDueRoundsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projects = (await db.Projects.AsNoTracking().ToListAsync(ct))
            .Where(p => p.Learning.RoundEveryAnswers is > 0 && LearningData.FieldOf(p) is not null).ToList();
        // Asked only when a project learns automatically: asking loads the model runtime (libtorch, ~150 MB resident),
        // which a server whose projects never train should not carry.
        if (projects.Count == 0 || !runtime.Availability.Available)
        {
            return 0;
        }
        var started = 0;
        foreach (var project in projects)
        {
            var every = project.Learning.RoundEveryAnswers!.Value;
            var since = await db.LearningRounds.Where(r => r.ProjectId == project.Id)
                .OrderByDescending(r => r.Number).Select(r => (long?)r.UpToAnnotationId).FirstOrDefaultAsync(ct) ?? 0;
            var fresh = await db.Annotations.Where(a => a.ProjectId == project.Id && a.Id > since).Take(every).CountAsync(ct);
            if (fresh < every || await ActiveJobAsync(db, project.Id, ct) is not null)
            {
                continue;
            }
            await jobs.StartAsync(LearningJobs.Round, project.Id, null, new RoundJobParameters(project.Id, RoundTrigger.Automatic), ct);
            started++;
        }
        return started;
    }

    public async Task<IReadOnlyList<ModelVersionInfo>> ModelsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var models = await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId).OrderByDescending(m => m.Version).ToListAsync(ct);
        return [.. models.Select(ModelVersionInfo.Of)];
    }

    public async Task<ModelVersionInfo> ModelAsync(Actor actor, Guid projectId, int version, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var model = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(m => m.ProjectId == projectId && m.Version == version, ct)
            ?? throw new NotFoundException("Model version");
        return ModelVersionInfo.Of(model);
    }

    public async Task<IReadOnlyList<RoundInfo>> RoundsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var rounds = await db.LearningRounds.AsNoTracking().Where(r => r.ProjectId == projectId && r.FinishedAt != null)
            .OrderByDescending(r => r.Number).ToListAsync(ct);
        var models = await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId)
            .ToDictionaryAsync(m => m.Id, m => (m.Version, m.ValidationAccuracy), ct);
        var picked = await db.RoundPicks.AsNoTracking().Where(p => rounds.Select(r => r.Id).Contains(p.RoundId))
            .GroupBy(p => p.RoundId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return [.. rounds.Select(r => ToInfo(r, models, picked.GetValueOrDefault(r.Id)))];
    }

    public async Task<RoundDetail> RoundAsync(Actor actor, Guid projectId, int number, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var round = await db.LearningRounds.AsNoTracking().FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number && r.FinishedAt != null, ct)
            ?? throw new NotFoundException("Round");
        var picks = await db.RoundPicks.AsNoTracking().Where(p => p.RoundId == round.Id).OrderBy(p => p.Rank)
            .Join(db.Items.AsNoTracking(), p => p.ItemId, i => i.Id, (p, i) => new { Pick = p, i.Data, i.SubmittedCount })
            .ToListAsync(ct);
        var models = await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId)
            .ToDictionaryAsync(m => m.Id, m => (m.Version, m.ValidationAccuracy), ct);
        return new RoundDetail(
            ToInfo(round, models, picks.Count),
            [.. picks.Select(p => new RoundPickInfo(p.Pick.ItemId, p.Pick.Rank, p.Pick.Score, p.Pick.Reason, p.Pick.PredictedLabel, p.Pick.Confidence, p.SubmittedCount > 0, p.Data))]);
    }

    public async Task<IReadOnlyList<SimulationInfo>> SimulationsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var runs = await db.JobRuns.AsNoTracking().Where(j => j.ProjectId == projectId && j.Kind == LearningJobs.Simulate.Kind)
            .OrderByDescending(j => j.CreatedAt).Take(20).ToListAsync(ct);
        return [.. runs.Select(run =>
        {
            SimulationJobParameters? parameters = null;
            try
            {
                parameters = LearningJobs.Simulate.ReadParameters(run);
            }
            catch (InvalidOperationException)
            {
                // A run whose parameters do not read is listed without them.
            }
            return new SimulationInfo(JobRunService.ToInfo(run), parameters, LearningJobs.Simulate.ReadResult(run));
        })];
    }

    /// <summary>The learning curve across models: validation accuracy by training-set size, the fit, and the gain of more labels.</summary>
    public static LearningCurveInfo CurveOf(IReadOnlyList<ModelVersion> modelsOldestFirst, int batchSize)
    {
        var points = modelsOldestFirst
            .GroupBy(m => m.TrainCount + m.ValidationCount)
            .Select(g => g.OrderByDescending(m => m.Version).First())
            .OrderBy(m => m.TrainCount + m.ValidationCount)
            .Select(m => new CurvePoint(m.TrainCount + m.ValidationCount, m.ValidationAccuracy, m.ValidationAccuracy, m.ValidationAccuracy))
            .ToList();
        var fit = LearningCurve.Fit([.. points.Select(p => (p.Labels, p.Mean))]);
        if (fit is null || points.Count == 0)
        {
            return new LearningCurveInfo(points, null, null, null);
        }
        var more = Math.Max(1, batchSize) * GainBatches;
        return new LearningCurveInfo(points, fit, more, fit.Predict(points[^1].Labels + more));
    }

    private async Task EnsureCanStartAsync(LabelHubDbContext db, Project project, CancellationToken ct)
    {
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            throw new ConflictException($"Learning jobs are disabled: {availability.Reason}");
        }
        if (LearningData.FieldOf(project) is null)
        {
            throw new ValidationException("field", "This project has no single-choice field; a model learns one single-choice field.");
        }
        if (await ActiveJobAsync(db, project.Id, ct) is { } active)
        {
            throw new ConflictException($"A learning job of this project is already {active.State.ToString().ToLowerInvariant()}; wait for it to finish.");
        }
    }

    private static Task<JobRun?> ActiveJobAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        db.JobRuns.AsNoTracking()
            .Where(j => j.ProjectId == projectId && (j.Kind == LearningJobs.Round.Kind || j.Kind == LearningJobs.Simulate.Kind)
                && (j.State == JobState.Queued || j.State == JobState.Running))
            .OrderByDescending(j => j.CreatedAt)
            .FirstOrDefaultAsync(ct);

    private static RoundInfo ToInfo(LearningRound r, IReadOnlyDictionary<Guid, (int Version, double ValidationAccuracy)> models, int picked)
    {
        (int Version, double ValidationAccuracy)? model = r.ModelVersionId is { } id && models.TryGetValue(id, out var m) ? m : null;
        return new RoundInfo(
            r.Id, r.Number, r.JobRunId, r.Trigger, r.Strategy, r.Diversity, r.ColdStart, model?.Version, model?.ValidationAccuracy,
            r.LabeledCount, r.PoolSize, picked, r.ExpectedAccuracy, r.GainLabels, r.ScoringSeconds, r.CreatedAt, r.FinishedAt);
    }
}

/// <summary>What a manager asks of a simulation; unset values take the defaults shown.</summary>
public sealed record SimulationRequest(
    IReadOnlyList<SamplingStrategy>? Strategies = null,
    bool Diversity = false,
    int SeedLabels = 100,
    int BatchSize = 50,
    int MaxLabels = 1_000,
    int Seeds = 3,
    double TestShare = 0.2)
{
    public SimulationJobParameters Validate(Guid projectId, string field, int labeled)
    {
        var errors = new ValidationErrors();
        var strategies = (Strategies is { Count: > 0 } s ? s : Enum.GetValues<SamplingStrategy>()).Distinct().ToList();
        if (strategies.Any(x => !Enum.IsDefined(x)))
        {
            errors.Add("strategies", "Strategies: Random, LeastConfidence, Margin, Entropy, Bald.");
        }
        if (!strategies.Contains(SamplingStrategy.Random))
        {
            // Every curve is measured against random sampling.
            strategies.Insert(0, SamplingStrategy.Random);
        }
        if (TestShare is < 0.05 or > 0.5 || double.IsNaN(TestShare))
        {
            errors.Add("testShare", "Hold out between 5 % and 50 % of the labeled items for testing.");
        }
        var poolSize = (int)(labeled * (1 - TestShare));
        if (SeedLabels < 2)
        {
            errors.Add("seedLabels", "Start from at least 2 labels.");
        }
        if (BatchSize < 1)
        {
            errors.Add("batchSize", "A batch holds at least 1 item.");
        }
        if (MaxLabels <= SeedLabels)
        {
            errors.Add("maxLabels", "Simulate up to more labels than the seed set.");
        }
        else if (BatchSize >= 1 && (MaxLabels - SeedLabels) / BatchSize > SimulationJobParameters.MaxRoundsPerRun)
        {
            errors.Add("batchSize", $"At most {SimulationJobParameters.MaxRoundsPerRun} rounds per run: use larger batches or fewer labels.");
        }
        if (MaxLabels > poolSize)
        {
            errors.Add("maxLabels", $"The project has {labeled:N0} labeled items; with {TestShare:P0} held out, at most {poolSize:N0} can be simulated.");
        }
        if (Seeds is < 1 or > SimulationJobParameters.MaxSeeds)
        {
            errors.Add("seeds", $"Run 1 to {SimulationJobParameters.MaxSeeds} seeds.");
        }
        errors.ThrowIfAny();
        return new SimulationJobParameters(projectId, field, strategies, Diversity, SeedLabels, BatchSize, MaxLabels, Seeds, TestShare);
    }
}
