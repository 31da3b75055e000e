using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

public sealed class ExportService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs)
{
    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, ExportFormat format, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ValidationException("format", "Export formats: jsonl, csv.");
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        return await jobs.StartAsync(JobKinds.Export, projectId, actor.UserId, new ExportParameters(format), ct);
    }
}
