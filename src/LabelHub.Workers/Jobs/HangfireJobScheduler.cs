using Hangfire;
using LabelHub.Domain.Jobs;

namespace LabelHub.Workers.Jobs;

public sealed class HangfireJobScheduler(IBackgroundJobClient client) : IJobScheduler
{
    public string Enqueue(Guid jobRunId) => client.Enqueue<JobExecutor>(executor => executor.ExecuteAsync(jobRunId, CancellationToken.None));
}
