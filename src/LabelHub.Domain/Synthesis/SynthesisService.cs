using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Synthesis;

/// <summary>
/// The Synthesis stage for managers: starting a generator's training and a generation, reading generators and what
/// annotators made of synthetic items. Training and generating run in Workers (<see cref="SynthesisJobs"/>).
/// </summary>
public sealed class SynthesisService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, ILearningRuntime runtime, TimeProvider clock)
{
    public const int MinEpochs = 1;
    public const int MaxEpochs = 200;
    public const int MinBatchSize = 16;
    public const int MaxBatchSize = 512;
    public const int MaxPerClass = 10_000;
    public static readonly IReadOnlyList<int> ImageSides = [28, 32, 64];

    public async Task<SynthesisStatus> StatusAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var field = LearningData.FieldOf(project);
        var state = await StateAsync(db, project, field, ct);
        var latest = await db.Generators.AsNoTracking().Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Version).FirstOrDefaultAsync(ct);
        var made = latest is null ? 0 : await db.Items.CountAsync(i => i.ProjectId == projectId && i.SyntheticGeneratorId == latest.Id, ct);
        var synthetic = await SynthesisCounts.SyntheticAsync(db, projectId, project, ct);
        return new SynthesisStatus(
            runtime.Availability, field?.Name, field?.Labels ?? [], state.Labeled, state.ImageItems, state.Blocker,
            state.Active is null ? null : JobRunService.ToInfo(state.Active),
            latest is null ? null : GeneratorInfo.Of(latest, made), synthetic);
    }

    /// <summary>Creates generator v(n+1) in state Training with its settings and starts <see cref="SynthesisJobs.Train"/>; 409 while a synthesis job runs.</summary>
    public async Task<GeneratorInfo> StartTrainingAsync(Actor actor, Guid projectId, TrainRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Generator generator;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            var field = Validate(project, request);
            var state = await StateAsync(db, project, field, ct);
            if (state.Blocker is { } blocker)
            {
                throw new ConflictException(blocker);
            }
            var side = request.ImageSide ?? await SynthesisCounts.ChooseImageSideAsync(db, projectId, ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var version = 1 + (await db.Generators.Where(g => g.ProjectId == projectId).MaxAsync(g => (int?)g.Version, ct) ?? 0);
            generator = new Generator
            {
                Id = Guid.CreateVersion7(),
                ProjectId = projectId,
                Version = version,
                State = GeneratorState.Training,
                Field = field.Name,
                Labels = [.. field.Labels.Where(state.Labeled.ContainsKey)],
                ImageKey = SynthesisCounts.ImageKeyOf(project),
                ImageSide = side,
                // Grey until the training job has looked at the pixels: it switches to colour (3) before the first epoch
                // when the images are not grey (GeneratorTraining, SynthesisData.SetChannelsAsync).
                Channels = 1,
                Settings = new GeneratorSettings { Epochs = request.Epochs, BatchSize = request.BatchSize, Seed = request.Seed },
                // Unique until the job exists: the job row is written by JobRunService in its own context, below.
                JobRunId = Guid.CreateVersion7(),
                CreatedById = actor.UserId,
                CreatedAt = clock.GetUtcNow(),
            };
            db.Generators.Add(generator);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Two managers numbered the same version at once: the other one's training is starting.
                throw new ConflictException(ActiveJobSentence(JobState.Queued));
            }
            await transaction.CommitAsync(ct);
        }
        JobRunInfo job;
        try
        {
            job = await jobs.StartAsync(SynthesisJobs.Train, projectId, actor.UserId, new TrainGeneratorParameters(projectId, generator.Id), ct);
        }
        catch
        {
            // No job, no training: a generator that would stay "Training" forever must not be left behind.
            await using var cleanup = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await cleanup.Generators.Where(g => g.Id == generator.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Generators.Where(g => g.Id == generator.Id).ExecuteUpdateAsync(s => s.SetProperty(g => g.JobRunId, job.Id), ct);
        }
        generator.JobRunId = job.Id;
        return GeneratorInfo.Of(generator, 0);
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<GeneratorInfo>> GeneratorsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var generators = await db.Generators.AsNoTracking().Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Version).ToListAsync(ct);
        var made = await SynthesisCounts.ItemsPerGeneratorAsync(db, projectId, ct);
        return [.. generators.Select(g => GeneratorInfo.Of(g, made.GetValueOrDefault(g.Id)))];
    }

    public async Task<GeneratorInfo> GeneratorAsync(Actor actor, Guid projectId, int version, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var generator = await FindAsync(db, projectId, version, ct);
        var made = await db.Items.CountAsync(i => i.ProjectId == projectId && i.SyntheticGeneratorId == generator.Id, ct);
        return GeneratorInfo.Of(generator, made);
    }

    /// <summary>Starts <see cref="SynthesisJobs.Generate"/>; 409 when the generator is not Ready and Healthy or a synthesis job runs.</summary>
    public async Task<JobRunInfo> StartGenerationAsync(Actor actor, Guid projectId, int version, GenerateRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        GenerateParameters parameters;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            var generator = await FindAsync(db, projectId, version, ct);
            if (CannotGenerateReason(GeneratorInfo.Of(generator, 0)) is { } reason)
            {
                throw new ConflictException(reason);
            }
            if (await ActiveJobAsync(db, projectId, ct) is { } active)
            {
                throw new ConflictException(ActiveJobSentence(active.State));
            }
            var perClass = await PerClassAsync(db, project, generator, request, ct);
            parameters = new GenerateParameters(projectId, generator.Id, perClass, request.Seed ?? clock.GetUtcNow().Ticks);
        }
        return await jobs.StartAsync(SynthesisJobs.Generate, projectId, actor.UserId, parameters, ct);
    }

    /// <summary>Why a generator cannot make items, in English (translated where read); null when it can.</summary>
    public static string? CannotGenerateReason(GeneratorInfo generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator.State switch
        {
            GeneratorState.Training => $"{generator.Name} is still training; it can generate once it is ready.",
            GeneratorState.Failed => $"{generator.Name} failed to train; train a new generator to generate.",
            GeneratorState.Ready => generator.Health switch
            {
                GanHealth.Healthy => null,
                GanHealth.ModeCollapse or GanHealth.Diverged or null =>
                    $"{generator.Name} is unhealthy and cannot generate: {generator.HealthReason ?? HealthSentence(generator.Health)}",
            },
        };
    }

    /// <summary>What an unhealthy state means, when the training left no reason of its own.</summary>
    public static string HealthSentence(GanHealth? health) => health switch
    {
        GanHealth.Healthy => "Healthy.",
        GanHealth.ModeCollapse => "Mode collapse: it makes nearly the same image whatever the noise.",
        GanHealth.Diverged => "Training diverged: the losses ran away and the generator stopped learning.",
        null => "Its health was never assessed.",
    };

    private static LabelField Validate(Project project, TrainRequest request)
    {
        var errors = new ValidationErrors();
        LabelField? field;
        if (request.Field is { Length: > 0 } name)
        {
            field = project.Schema.Field(name) is { Kind: FieldKind.Choice } chosen ? chosen : null;
            if (field is null)
            {
                errors.Add("field", $"'{name}' is not a single-choice field of this project; a generator learns one single-choice field.");
            }
        }
        else
        {
            field = LearningData.FieldOf(project);
            if (field is null)
            {
                errors.Add("field", NoFieldSentence);
            }
        }
        if (request.ImageSide is { } side && !ImageSides.Contains(side))
        {
            errors.Add("imageSide", "Images are generated at 28, 32 or 64 pixels a side.");
        }
        if (request.Epochs is < MinEpochs or > MaxEpochs)
        {
            errors.Add("epochs", $"Train for {MinEpochs} to {MaxEpochs} epochs.");
        }
        if (request.BatchSize is < MinBatchSize or > MaxBatchSize)
        {
            errors.Add("batchSize", $"A training batch holds {MinBatchSize} to {MaxBatchSize} images.");
        }
        errors.ThrowIfAny();
        return field!;
    }

    private const string NoFieldSentence = "This project has no single-choice field; a generator learns one single-choice field.";

    private sealed record StartState(IReadOnlyDictionary<string, int> Labeled, int ImageItems, JobRun? Active, string? Blocker);

    /// <summary>What the project has to train on and the first reason it cannot start now, in the order a manager would fix them.</summary>
    private async Task<StartState> StateAsync(LabelHubDbContext db, Project project, LabelField? field, CancellationToken ct)
    {
        var active = await ActiveJobAsync(db, project.Id, ct);
        var images = await LearningData.ChooseKindAsync(db, project, ct) == ModelKind.ImageCnn;
        // Every real item of an image project counts as an image item: the kind is read from a sample, as Learning does.
        var imageItems = images ? await db.Items.CountAsync(i => i.ProjectId == project.Id && i.SyntheticGeneratorId == null, ct) : 0;
        var labeled = field is null || !images
            ? new Dictionary<string, int>(StringComparer.Ordinal)
            : await SynthesisCounts.LabeledPerClassAsync(db, project.Id, field, ct);
        var enough = labeled.Count(c => c.Value >= SynthesisCounts.MinImagesPerClass);
        string? blocker = null;
        if (field is null)
        {
            blocker = NoFieldSentence;
        }
        else if (!images)
        {
            blocker = "A generator learns from images, and this project's items are not images.";
        }
        else if (enough < 2)
        {
            blocker = $"A generator needs at least 2 classes with {SynthesisCounts.MinImagesPerClass} labeled images each; {enough} classes have that many.";
        }
        else if (!runtime.Availability.Available)
        {
            blocker = $"Synthesis jobs are disabled: {runtime.Availability.Reason}";
        }
        else if (active is not null)
        {
            blocker = ActiveJobSentence(active.State);
        }
        return new StartState(labeled, imageItems, active, blocker);
    }

    /// <summary>Why nothing else can start while a synthesis job is queued or running.</summary>
    public static string ActiveJobSentence(JobState state) => state == JobState.Running
        ? "A synthesis job of this project is already running; wait for it to finish."
        : "A synthesis job of this project is already queued; wait for it to finish.";

    private async Task<IReadOnlyDictionary<string, int>> PerClassAsync(LabelHubDbContext db, Project project, Generator generator, GenerateRequest request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var asked = (request.PerClass is null ? 0 : 1) + (request.Count is null ? 0 : 1) + (request.Balance ? 1 : 0);
        if (asked != 1)
        {
            const string exactlyOne = "Ask for exactly one of: a count per class, one count for every class, or balance.";
            errors.Add(request.PerClass is not null || asked == 0 ? "perClass" : request.Count is not null ? "count" : "balance", exactlyOne);
            errors.ThrowIfAny();
        }
        Dictionary<string, int> perClass;
        string key;
        if (request.PerClass is { } given)
        {
            key = "perClass";
            if (given.Count == 0)
            {
                errors.Add(key, "Name at least one class to generate.");
            }
            foreach (var (label, count) in given)
            {
                if (!generator.Labels.Contains(label, StringComparer.Ordinal))
                {
                    errors.Add($"perClass.{label}", $"'{label}' is not a class {generator.Name} learned.");
                }
                else if (count is < 1 or > MaxPerClass)
                {
                    errors.Add($"perClass.{label}", $"Generate 1 to {MaxPerClass:N0} images per class.");
                }
            }
            perClass = given.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        else if (request.Count is { } count)
        {
            key = "count";
            if (count is < 1 or > MaxPerClass)
            {
                errors.Add(key, $"Generate 1 to {MaxPerClass:N0} images per class.");
            }
            perClass = generator.Labels.ToDictionary(l => l, _ => count, StringComparer.Ordinal);
        }
        else
        {
            key = "balance";
            var field = project.Schema.Field(generator.Field) is { Kind: FieldKind.Choice } f ? f
                : throw new ConflictException($"'{generator.Field}' is no longer a single-choice field of this project.");
            var labeled = await SynthesisCounts.LabeledPerClassAsync(db, project.Id, field, ct);
            var synthetic = await SynthesisCounts.SyntheticAsync(db, project.Id, project, ct);
            perClass = new Dictionary<string, int>(SynthesisBalance.Plan(generator.Labels, labeled, synthetic), StringComparer.Ordinal);
            if (perClass.Count == 0)
            {
                errors.Add(key, "Every class already has as many labeled and synthetic images as the largest; nothing to balance.");
            }
        }
        if (perClass.Values.Sum(c => (long)c) > GenerateRequest.MaxPerJob)
        {
            errors.Add(key, $"At most {GenerateRequest.MaxPerJob:N0} images per job; ask for fewer.");
        }
        errors.ThrowIfAny();
        return perClass;
    }

    private static async Task<Generator> FindAsync(LabelHubDbContext db, Guid projectId, int version, CancellationToken ct) =>
        await db.Generators.AsNoTracking().FirstOrDefaultAsync(g => g.ProjectId == projectId && g.Version == version, ct)
            ?? throw new NotFoundException("Generator");

    private static Task<JobRun?> ActiveJobAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        db.JobRuns.AsNoTracking()
            .Where(j => j.ProjectId == projectId && (j.Kind == SynthesisJobs.Train.Kind || j.Kind == SynthesisJobs.Generate.Kind)
                && (j.State == JobState.Queued || j.State == JobState.Running))
            .OrderByDescending(j => j.CreatedAt)
            .FirstOrDefaultAsync(ct);
}
