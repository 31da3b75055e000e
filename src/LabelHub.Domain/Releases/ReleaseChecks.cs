using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>The newest reproducibility check of a release.</summary>
/// <param name="Matches">The rebuilt manifest is the one recorded at the cut and no item differed.</param>
/// <param name="Problem">What differed, in English (localized where shown); null when it matched.</param>
/// <param name="JobRunId">The "verify again" job that made the check; null when the cut made it.</param>
public sealed record ReleaseCheckInfo(DateTimeOffset VerifiedAt, string VerifiedSha256, bool Matches, string? Problem, Guid? JobRunId);

/// <summary>
/// Reads the newest check of each finished release of some projects in two queries: the check its cut recorded (the
/// release's own columns, written in the update that froze it) and the checks run since, which are the results of
/// <see cref="ReleaseJobs.Verify"/> jobs because a ready release's row can no longer change.
/// </summary>
public static class ReleaseChecks
{
    public static async Task<Dictionary<long, ReleaseCheckInfo>> NewestAsync(LabelHubDbContext db, IReadOnlyCollection<Guid> projectIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(projectIds);
        var ids = projectIds.ToList();
        var checks = (await db.Releases.AsNoTracking()
            .Where(r => ids.Contains(r.ProjectId) && r.State == ReleaseState.Ready && r.VerifiedAt != null && r.VerifiedSha256 != null)
            .Select(r => new { r.Id, r.VerifiedAt, r.VerifiedSha256, r.ManifestSha256, r.VerificationProblem })
            .ToListAsync(ct))
            .ToDictionary(r => r.Id, r => new ReleaseCheckInfo(r.VerifiedAt!.Value, r.VerifiedSha256!,
                r.VerificationProblem is null && string.Equals(r.VerifiedSha256, r.ManifestSha256, StringComparison.Ordinal), r.VerificationProblem, null));
        var kind = ReleaseJobs.Verify.Kind;
        var runs = await db.JobRuns.AsNoTracking()
            .Where(j => j.ProjectId != null && ids.Contains(j.ProjectId.Value) && j.Kind == kind && j.State == JobState.Succeeded)
            .ToListAsync(ct);
        foreach (var run in runs)
        {
            if (ReleaseJobs.Verify.ReadResult(run) is not { } result)
            {
                continue;
            }
            if (!checks.TryGetValue(result.ReleaseId, out var known) || known.VerifiedAt < result.VerifiedAt)
            {
                checks[result.ReleaseId] = new ReleaseCheckInfo(result.VerifiedAt, result.VerifiedSha256, result.Matches, result.Problem, run.Id);
            }
        }
        return checks;
    }
}
