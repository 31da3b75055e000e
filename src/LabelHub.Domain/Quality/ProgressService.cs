using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Quality;

public sealed record AnnotatorProgress(Guid UserId, string UserName, string DisplayName, int Annotations, int Skipped, double? MedianSeconds, DateTimeOffset? LastAt);

public sealed record ProjectProgress(
    int TotalItems,
    int CompletedItems,
    int InProgressItems,
    int Annotations,
    int LeasedNow,
    int Overlap,
    IReadOnlyList<AnnotatorProgress> Annotators)
{
    /// <summary>Share of all needed answers (items × overlap) given so far.</summary>
    public double Fraction => TotalItems == 0 ? 0 : Math.Min(1, (double)Annotations / ((long)TotalItems * Overlap));
}

public sealed class ProgressService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public async Task<ProjectProgress> ForProjectAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        var items = db.Items.Where(i => i.ProjectId == projectId);
        var total = await items.CountAsync(ct);
        var completed = await items.WhereCompleted(db, project.Overlap).CountAsync(ct);
        var inProgress = await items.CountAsync(i => i.TakenSlots > 0, ct) - completed;
        var now = clock.GetUtcNow();
        var leased = await db.Assignments.CountAsync(a => a.ProjectId == projectId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now, ct);

        // Only the first version counts as a label; edits are not new work.
        var submitted = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Version == 1)
            .GroupBy(a => a.AnnotatorId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var skipped = await db.Assignments.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.State == AssignmentState.Skipped)
            .GroupBy(a => a.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var userIds = submitted.Select(s => s.UserId).Union(skipped.Select(s => s.UserId)).ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, u.UserName, u.DisplayName }).ToDictionaryAsync(u => u.Id, ct);

        var annotators = new List<AnnotatorProgress>();
        foreach (var userId in userIds)
        {
            // Durations and last times per annotator: one narrow query each, never the payloads.
            var timings = await db.Annotations.AsNoTracking()
                .Where(a => a.ProjectId == projectId && a.AnnotatorId == userId && a.Version == 1)
                .Select(a => new { a.DurationMs, a.CreatedAt })
                .ToListAsync(ct);
            var durations = timings.Where(t => t.DurationMs is not null).Select(t => t.DurationMs!.Value / 1000.0).Order().ToList();
            var user = users.GetValueOrDefault(userId);
            annotators.Add(new AnnotatorProgress(
                userId,
                user?.UserName ?? "(deleted user)",
                user?.DisplayName ?? "",
                submitted.FirstOrDefault(s => s.UserId == userId)?.Count ?? 0,
                skipped.FirstOrDefault(s => s.UserId == userId)?.Count ?? 0,
                durations.Count == 0 ? null : durations[durations.Count / 2],
                timings.Count == 0 ? null : timings.Max(t => t.CreatedAt)));
        }
        return new ProjectProgress(
            total, completed, inProgress, submitted.Sum(s => s.Count), leased, project.Overlap,
            [.. annotators.OrderByDescending(a => a.Annotations).ThenBy(a => a.UserName)]);
    }

    /// <summary>How many tasks this annotator has submitted in the project.</summary>
    public async Task<int> MySubmittedAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Assignments.CountAsync(a => a.ProjectId == projectId && a.UserId == actor.UserId && a.State == AssignmentState.Submitted, ct);
    }
}
