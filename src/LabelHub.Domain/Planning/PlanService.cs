using System.Globalization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <param name="Targets">Collect, cleanse and finalize targets; null keeps the current ones.</param>
/// <param name="Quality">Labeling's targets (agreement, gold accuracy, throughput); null keeps the current ones.</param>
/// <param name="Overlap">The project's overlap; null keeps it.</param>
public sealed record PlanInput(ProjectPlan Plan, StageTargets? Targets = null, QualitySettings? Quality = null, int? Overlap = null);

/// <summary>The spec sheet with every stage's targets, as the plan page and GET …/plan show them.</summary>
public sealed record PlanView(Guid ProjectId, int Overlap, ProjectPlan Plan, StageTargets Targets, QualitySettings Quality, IReadOnlyList<string> SchemaFields);

/// <summary>The spec sheet, its estimate against measured throughput, the stage targets and the pipeline overview.</summary>
public sealed class PlanService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxTargetItems = 100_000_000;
    public const int MaxAnnotators = 100_000;
    public const double MaxSecondsPerLabel = 24 * 3600;

    public async Task<PlanView> GetAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ToView(await db.GetVisibleAsync(actor, projectId, ct));
    }

    public async Task<PlanView> UpdateAsync(Actor actor, Guid projectId, PlanInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        Validate(input, project);
        project.Plan = input.Plan with
        {
            Purpose = input.Plan.Purpose.Trim(),
            DataDescription = input.Plan.DataDescription.Trim(),
            Currency = input.Plan.Currency.Trim().ToUpperInvariant(),
        };
        project.Targets = input.Targets ?? project.Targets;
        project.Quality = input.Quality ?? project.Quality;
        project.Overlap = input.Overlap ?? project.Overlap;
        project.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return ToView(project);
    }

    /// <summary>The plan's estimate and the same figures re-estimated from the measured throughput.</summary>
    public async Task<PlanForecast> ForecastAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        var now = clock.GetUtcNow();
        var measured = await ThroughputMeasure.MeasureAsync(db, projectId, now, ct);
        return PlanForecast.Build(project.Plan, project.Overlap, DateOnly.FromDateTime(project.CreatedAt.UtcDateTime), measured, DateOnly.FromDateTime(now.UtcDateTime));
    }

    public async Task<PipelineOverview> PipelineAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        return await PipelineReader.ForProjectAsync(db, project, ct);
    }

    private static PlanView ToView(Project p) => new(p.Id, p.Overlap, p.Plan, p.Targets, p.Quality, [.. p.Schema.Fields.Select(f => f.Name)]);

    public static void Validate(PlanInput input, Project project)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(project);
        var errors = new ValidationErrors();
        if (input.Plan is not { } plan)
        {
            throw new ValidationException("plan", "A plan is needed.");
        }
        if (plan.Purpose is null || plan.Purpose.Length > 4000)
        {
            errors.Add("plan.purpose", "The purpose has at most 4,000 characters.");
        }
        if (plan.DataDescription is null || plan.DataDescription.Length > 4000)
        {
            errors.Add("plan.dataDescription", "The data description has at most 4,000 characters.");
        }
        if (plan.TargetItems is < 1 or > MaxTargetItems)
        {
            errors.Add("plan.targetItems", $"The target size is between 1 and {MaxTargetItems.ToString("N0", CultureInfo.InvariantCulture)} items.");
        }
        if (plan.SecondsPerLabel is { } seconds && (!double.IsFinite(seconds) || seconds <= 0 || seconds > MaxSecondsPerLabel))
        {
            errors.Add("plan.secondsPerLabel", "Seconds per label is more than 0 and at most 86,400 (a day).");
        }
        if (plan.Annotators is < 1 or > MaxAnnotators)
        {
            errors.Add("plan.annotators", $"The number of annotators is between 1 and {MaxAnnotators.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
        if (plan.HoursPerDay is { } hours && (!double.IsFinite(hours) || hours <= 0 || hours > 24))
        {
            errors.Add("plan.hoursPerDay", "Hours per day is more than 0 and at most 24.");
        }
        if (plan.CostPerHour is < 0 or > 1_000_000_000)
        {
            errors.Add("plan.costPerHour", "The cost per hour is between 0 and 1,000,000,000.");
        }
        if (plan.Budget is < 0 or > 1_000_000_000_000_000)
        {
            errors.Add("plan.budget", "The budget is between 0 and 10^18.");
        }
        var currency = plan.Currency?.Trim() ?? "";
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetter))
        {
            errors.Add("plan.currency", "A currency is a three-letter ISO 4217 code such as USD or KRW.");
        }
        if (plan.StartDate is { Year: < 2000 or > 2100 })
        {
            errors.Add("plan.startDate", "The start date lies between the years 2000 and 2100.");
        }
        if (input.Overlap is < 1 or > ProjectService.MaxOverlap)
        {
            errors.Add("overlap", $"Overlap must be between 1 and {ProjectService.MaxOverlap}.");
        }
        if (input.Targets is { } targets)
        {
            CheckShare(errors, "targets.maxSourceShare", targets.MaxSourceShare, allowZero: false);
            CheckShare(errors, "targets.maxCorrectionRate", targets.MaxCorrectionRate, allowZero: true);
            CheckShare(errors, "targets.minQualityScore", targets.MinQualityScore, allowZero: true);
        }
        if (input.Quality is { } quality)
        {
            // Labeling's targets keep the rules (and field names) of the project settings.
            try
            {
                ProjectService.Validate(new ProjectInput(project.Name, project.Description, project.Schema, project.Overlap, project.LeaseMinutes, project.Labeling, quality));
            }
            catch (ValidationException e)
            {
                foreach (var (field, messages) in e.EnglishErrors)
                {
                    foreach (var message in messages)
                    {
                        errors.Add(field, message);
                    }
                }
            }
        }
        errors.ThrowIfAny();
    }

    private static void CheckShare(ValidationErrors errors, string field, double? value, bool allowZero)
    {
        if (value is { } v && (!double.IsFinite(v) || v > 1 || v < 0 || (!allowZero && v == 0)))
        {
            errors.Add(field, allowZero ? "A share is between 0 and 1." : "A share is more than 0 and at most 1.");
        }
    }
}
