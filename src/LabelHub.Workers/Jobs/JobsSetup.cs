using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Quality;
using LabelHub.Workers.Cleansing;
using LabelHub.Workers.Collection;
using LabelHub.Workers.Learning;
using LabelHub.Workers.Planning;
using LabelHub.Workers.Quality;
using LabelHub.Workers.Releases;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Jobs;

public static class JobsSetup
{
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// Hangfire storage for this process: PostgreSQL in server mode (shared by web and all workers),
    /// in memory in embedded mode. The job server runs here when <paramref name="runJobServer"/> is true.
    /// </summary>
    public static IHostApplicationBuilder AddLabelHubJobs(this IHostApplicationBuilder builder, bool runJobServer)
    {
        var settings = DatabaseSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (settings.Provider == DatabaseProvider.Postgres)
            {
                config.UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(settings.ConnectionString),
                    new PostgreSqlStorageOptions { SchemaName = HangfireSchema, PrepareSchemaIfNecessary = true });
            }
            else
            {
                config.UseInMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long });
            }
        });
        builder.Services.AddSingleton<IJobScheduler, HangfireJobScheduler>();
        builder.Services.AddTransient<JobExecutor>();
        builder.Services.AddSingleton<IJobHandler, ImportJobHandler>();
        builder.Services.AddSingleton<IJobHandler, ExportJobHandler>();
        builder.Services.AddSingleton<IJobHandler, CutReleaseJobHandler>();
        builder.Services.AddSingleton<IJobHandler, VerifyReleaseJobHandler>();
        builder.Services.AddSingleton<IJobHandler, DeleteProjectJobHandler>();
        builder.Services.AddSingleton<IJobHandler, QualityJobHandler>();
        builder.Services.AddSingleton<IJobHandler, CleansingRulesDryRunJobHandler>();
        builder.Services.AddSingleton<IJobHandler, CleansingRulesApplyJobHandler>();
        builder.Services.AddSingleton<IJobHandler, DuplicatesJobHandler>();
        builder.Services.AddSingleton<IJobHandler, DisagreementJobHandler>();
        builder.Services.AddSingleton<LabelErrorDetection>();
        builder.Services.AddSingleton<IJobHandler, LabelErrorsJobHandler>();
        builder.Services.AddSingleton<TorchThread>();
        builder.Services.AddSingleton<ActiveLearningRound>();
        builder.Services.AddSingleton<IJobHandler, RoundJobHandler>();
        builder.Services.AddSingleton<LearningSimulation>();
        builder.Services.AddSingleton<IJobHandler, SimulationJobHandler>();
        builder.Services.AddSingleton<LabelHub.Workers.Synthesis.GeneratorTraining>();
        builder.Services.AddSingleton<IJobHandler, LabelHub.Workers.Synthesis.TrainGeneratorJobHandler>();
        builder.Services.AddSingleton<LabelHub.Workers.Synthesis.SyntheticGeneration>();
        builder.Services.AddSingleton<IJobHandler, LabelHub.Workers.Synthesis.GenerateJobHandler>();
        builder.Services.AddSingleton<JobRecovery>();
        builder.Services.AddTransient<MaintenanceJobs>();
        var torchSettings = TorchSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(services => new TorchRuntime(torchSettings, services.GetRequiredService<ILogger<TorchRuntime>>()));
        builder.Services.AddSingleton<ILearningRuntime>(services => services.GetRequiredService<TorchRuntime>());
        if (runJobServer)
        {
            builder.Services.AddHostedService<JobServerStartup>();
            builder.Services.AddHangfireServer(options =>
            {
                options.WorkerCount = builder.Configuration.GetValue("LabelHub:JobWorkers", Math.Max(2, Environment.ProcessorCount));
                options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
        }
        return builder;
    }

    /// <summary>Whether this web process also executes jobs: yes in embedded mode unless configured otherwise.</summary>
    public static bool WebRunsJobServer(IConfiguration configuration) =>
        configuration.GetValue<bool?>("LabelHub:RunJobServer") ?? DatabaseSettings.FromConfiguration(configuration).IsEmbedded;
}

/// <summary>Recurring upkeep that both modes need.</summary>
public sealed class MaintenanceJobs(TaskDistributor distributor, JobRecovery recovery, QualityService quality, LearningService learning, StoredFileService files)
{
    [AutomaticRetry(Attempts = 0)]
    public Task StartDueQualityRecomputesAsync(CancellationToken ct) => quality.StartDueRecomputesAsync(ct);

    [AutomaticRetry(Attempts = 0)]
    public Task StartDueLearningRoundsAsync(CancellationToken ct) => learning.StartDueRoundsAsync(ct);

    [AutomaticRetry(Attempts = 0)]
    public Task ReclaimExpiredLeasesAsync(CancellationToken ct) => distributor.ReclaimAllExpiredAsync(ct);

    [AutomaticRetry(Attempts = 0)]
    public Task RecoverJobsAsync(CancellationToken ct) => recovery.RecoverAsync(atStartup: false, ct);

    /// <summary>Uploads and job files whose writer was killed halfway; nothing else ever removes them.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RemoveAbandonedFilesAsync(CancellationToken ct) => files.RemoveAbandonedAsync(ct);
}

/// <summary>At start-up: re-enqueue interrupted runs, then schedule the recurring upkeep.</summary>
internal sealed class JobServerStartup(JobRecovery recovery, IRecurringJobManager recurring) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await recovery.RecoverAsync(atStartup: true, cancellationToken);
        recurring.AddOrUpdate<MaintenanceJobs>("reclaim-expired-leases", jobs => jobs.ReclaimExpiredLeasesAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("recover-jobs", jobs => jobs.RecoverJobsAsync(CancellationToken.None), "*/5 * * * *");
        recurring.AddOrUpdate<MaintenanceJobs>("quality-recompute", jobs => jobs.StartDueQualityRecomputesAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("learning-rounds", jobs => jobs.StartDueLearningRoundsAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("abandoned-files", jobs => jobs.RemoveAbandonedFilesAsync(CancellationToken.None), Cron.Hourly());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
