using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>Asking for releases and reading them (ADR 0020); the cut itself is <see cref="ReleaseCutter"/>'s job.</summary>
public sealed class ReleaseService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, ReleaseCutter cutter, TimeProvider clock)
{
    /// <summary>Checks the request, numbers a new release and starts the job that cuts it.</summary>
    public async Task<(ReleaseInfo Release, JobRunInfo Job)> StartAsync(Actor actor, Guid projectId, ReleaseRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Release release;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            var settings = Settle(request, project.Schema);
            if (await db.Releases.AnyAsync(r => r.ProjectId == projectId && r.State == ReleaseState.Cutting, ct))
            {
                throw new ConflictException("A release of this project is being cut; wait for it to finish.");
            }
            var previous = await LatestReadyAsync(db, projectId, ct);
            var number = 1 + (await db.Releases.Where(r => r.ProjectId == projectId).MaxAsync(r => (int?)r.Number, ct) ?? 0);
            release = new Release
            {
                ProjectId = projectId,
                Number = number,
                State = ReleaseState.Cutting,
                CreatedById = actor.UserId,
                CreatedAt = clock.GetUtcNow(),
                SettingsJson = JsonSerializer.Serialize(settings, JsonColumn.Options),
                PreviousReleaseId = previous,
            };
            db.Releases.Add(release);
            await db.SaveChangesAsync(ct);
        }
        var job = await jobs.StartAsync(ReleaseJobs.Cut, projectId, actor.UserId, new CutReleaseParameters(release.Id), ct);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.JobRunId, job.Id), ct);
        }
        release.JobRunId = job.Id;
        return (ToInfo(release), job);
    }

    /// <summary>
    /// What cutting a release with these settings now would give — split sizes, label balance, items kept from the last
    /// release and items the filter leaves out — computed by the cut's own planning passes, writing nothing.
    /// </summary>
    public async Task<ReleasePreview> PreviewAsync(Actor actor, Guid projectId, ReleaseRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Project project;
        long? previous;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            project = await db.GetManageableAsync(actor, projectId, ct);
            previous = await LatestReadyAsync(db, projectId, ct);
        }
        var settings = Settle(request, project.Schema);
        var planning = await cutter.PlanAsync(project, settings, previous, NoProgress.Instance, ct);
        return new ReleasePreview(settings, planning.Plan.Count, planning.Left, planning.Plan.Summary)
        {
            LeftSyntheticNotAskedFor = planning.SyntheticNotAskedFor,
            LeftSyntheticNotConfirmed = planning.SyntheticNotConfirmed,
        };
    }

    public async Task<IReadOnlyList<ReleaseInfo>> ListAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var releases = await db.Releases.AsNoTracking().Where(r => r.ProjectId == projectId).OrderByDescending(r => r.Number).ToListAsync(ct);
        var names = await CreatorNamesAsync(db, releases, ct);
        var checks = await ReleaseChecks.NewestAsync(db, [projectId], ct);
        return [.. releases.Select(r => ToInfo(r) with { CreatedBy = names.GetValueOrDefault(r.CreatedById), Check = checks.GetValueOrDefault(r.Id) })];
    }

    public async Task<ReleaseInfo> GetAsync(Actor actor, Guid projectId, int number, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct)
            ?? throw new NotFoundException("Release");
        var names = await CreatorNamesAsync(db, [release], ct);
        var checks = await ReleaseChecks.NewestAsync(db, [projectId], ct);
        return ToInfo(release) with { CreatedBy = names.GetValueOrDefault(release.CreatedById), Check = checks.GetValueOrDefault(release.Id) };
    }

    /// <summary>
    /// Starts the job that checks again that a finished release reproduces (<see cref="ReleaseVerifier"/>): its manifest
    /// rebuilt from the stored rows, every item's content hash against the item's current one.
    /// </summary>
    public async Task<JobRunInfo> StartVerifyAsync(Actor actor, Guid projectId, int number, CancellationToken ct = default)
    {
        long releaseId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
            var release = await db.Releases.AsNoTracking().Where(r => r.ProjectId == projectId && r.Number == number)
                .Select(r => new { r.Id, r.State }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("Release");
            if (release.State != ReleaseState.Ready)
            {
                throw new ConflictException("Only a finished release can be verified.");
            }
            releaseId = release.Id;
        }
        return await jobs.StartAsync(ReleaseJobs.Verify, projectId, actor.UserId, new VerifyReleaseParameters(releaseId), ct);
    }

    /// <summary>Who asked for each release, in one query for the whole list.</summary>
    private static Task<Dictionary<Guid, string?>> CreatorNamesAsync(LabelHubDbContext db, IReadOnlyList<Release> releases, CancellationToken ct)
    {
        var ids = releases.Select(r => r.CreatedById).Distinct().ToList();
        return db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName, ct);
    }

    /// <summary>The request with every default filled in and every setting checked (400s name the field).</summary>
    public static ReleaseSettings Settle(ReleaseRequest request, LabelSchema schema)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(schema);
        var filter = request.Filter ?? new ReleaseFilter();
        if (double.IsNaN(filter.MinConfidence) || filter.MinConfidence < 0 || filter.MinConfidence > 1)
        {
            throw new ValidationException("filter.minConfidence", "The minimum confidence must be from 0 to 1.");
        }
        var aggregation = request.Aggregation ?? AggregationMethod.MajorityVote;
        if (!Enum.IsDefined(aggregation))
        {
            throw new ValidationException("aggregation", "The aggregation must be MajorityVote or DawidSkene.");
        }
        var split = request.Split ?? new SplitSettings { Seed = ReleaseSettings.DefaultSeed };
        if (split.LabelField is null && schema.Fields.FirstOrDefault(f => f.Kind == FieldKind.Choice) is { } choice)
        {
            // The plan reports the label balance of the first single-choice field unless told otherwise.
            split = split with { LabelField = choice.Name };
        }
        SplitPlanner.Validate(split, schema);
        return new ReleaseSettings(filter, aggregation, split);
    }

    public static ReleaseSettings? ReadSettings(string json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<ReleaseSettings>(json, JsonColumn.Options);

    /// <summary>The release a new one keeps splits from and is compared with: the newest that finished.</summary>
    private static Task<long?> LatestReadyAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        db.Releases.AsNoTracking().Where(r => r.ProjectId == projectId && r.State == ReleaseState.Ready)
            .OrderByDescending(r => r.Number).Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);

    private static ReleaseInfo ToInfo(Release r) =>
        new(r.Id, r.Number, r.State, r.JobRunId, r.CreatedAt, r.FinishedAt, r.ItemCount, r.PreviousReleaseId, r.ManifestSha256, r.Error, ReadSettings(r.SettingsJson))
        {
            Split = r.SummaryJson is null ? null : JsonSerializer.Deserialize<SplitSummary>(r.SummaryJson, JsonColumn.Options),
            Diff = r.DiffJson is null ? null : JsonSerializer.Deserialize<ReleaseDiffSummary>(r.DiffJson, JsonColumn.Options),
            Datasheet = r.Datasheet,
            DatasheetKorean = r.DatasheetKorean,
        };

    /// <summary>Progress of a preview: it answers the request, nobody watches it.</summary>
    internal sealed class NoProgress : IJobProgress
    {
        public static readonly NoProgress Instance = new();

        public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) => Task.CompletedTask;
    }
}
