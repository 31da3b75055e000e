using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LabelHub.Domain.Data;

/// <summary>Which database this process talks to, decided once from configuration.</summary>
public sealed partial record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ConnectionStringName = "LabelHub";

    public static DatabaseSettings FromConfiguration(IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            return new DatabaseSettings(DatabaseProvider.Postgres, WithServerDefaults(postgres));
        }
        var options = configuration.GetSection(LabelHubOptions.Section).Get<LabelHubOptions>() ?? new LabelHubOptions();
        return ForSqliteFile(Path.Combine(options.DataDirFullPath, "labelhub.db"));
    }

    public static DatabaseSettings ForSqliteFile(string path) =>
        new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // Writers retry on SQLITE_BUSY (the driver backs off between tries) for up to this many seconds; jobs write in
            // short batches, so a longer wait means something is wrong, and the caller gets a 503 to retry (DatabaseBusy).
            DefaultTimeout = 5,
            Pooling = true,
        }.ToString());

    public bool IsEmbedded => Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// Npgsql's default is 100. Every pooled connection is a PostgreSQL backend with its own plan cache, and each
    /// autoanalyze of a busy table makes every backend re-plan its prepared statements: with 100 of them on a 2-core
    /// server that stalled hand-outs for a second (docs/decisions/0005-distribution-speed.md).
    /// </summary>
    public const int DefaultMaxPoolSize = 32;

    /// <summary>
    /// LabelHub keeps no session state on a connection, so the pool need not reset it on every checkout, and its
    /// hot statements benefit from being prepared; the pool is sized for a small database server. Settings the
    /// operator gave explicitly win.
    /// </summary>
    public static string WithServerDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!MaxPoolSizeKeyword().IsMatch(connectionString))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }
        return builder.ConnectionString;
    }

    /// <summary>"Maximum Pool Size" or "MaxPoolSize" in any case and spacing, as Npgsql accepts them.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(^|;)\s*max(imum)?\s*pool\s*size\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex MaxPoolSizeKeyword();
}

public static class DatabaseSetup
{
    /// <summary>Registers the database, the domain services and the options every host shares.</summary>
    public static IHostApplicationBuilder AddLabelHubDomain(this IHostApplicationBuilder builder)
    {
        var settings = DatabaseSettings.FromConfiguration(builder.Configuration);
        builder.Services.Configure<LabelHubOptions>(builder.Configuration.GetSection(LabelHubOptions.Section));
        builder.Services.AddLabelHubDatabase(settings);
        if (settings.IsEmbedded)
        {
            builder.Services.AddHostedService<SqliteCheckpointer>();
        }
        builder.Services.AddHostedService<ItemStatsRefreshLoop>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProjectService>();
        builder.Services.AddSingleton<PlanService>();
        builder.Services.AddSingleton<GuidelineService>();
        builder.Services.AddSingleton<TaskDistributor>();
        builder.Services.AddSingleton<ReviewService>();
        builder.Services.AddSingleton<ItemReviewService>();
        builder.Services.AddSingleton<GoldService>();
        builder.Services.AddSingleton<MyWorkService>();
        builder.Services.AddSingleton<LabelHub.Domain.Learning.PredictionService>();
        builder.Services.AddSingleton<LabelHub.Domain.Learning.LearningService>();
        builder.Services.AddSingleton<LabelHub.Domain.Learning.LearningData>();
        builder.Services.AddSingleton<LabelHub.Domain.Synthesis.SynthesisData>();
        builder.Services.AddSingleton<LabelHub.Domain.Synthesis.SynthesisService>();
        builder.Services.AddSingleton<ProgressService>();
        builder.Services.AddSingleton<QualityService>();
        builder.Services.AddSingleton<AccessTokenCache>();
        builder.Services.AddSingleton<AccessTokenService>();
        builder.Services.AddSingleton<ServiceAccountService>();
        builder.Services.AddSingleton<StoredFileService>();
        builder.Services.AddSingleton<JobRunService>();
        builder.Services.AddSingleton<ImportService>();
        builder.Services.AddSingleton<SourceService>();
        builder.Services.AddSingleton<ItemTableService>();
        builder.Services.AddSingleton<ItemBulkActions>();
        builder.Services.AddSingleton<ItemImporter>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingService>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingRulesRun>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingRunLog>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.AdjudicationService>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.AdjudicationClaims>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingReportService>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingHints>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.DuplicateSearch>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.DuplicateService>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingAnswers>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingDetectors>();
        builder.Services.AddSingleton<LabelHub.Domain.Cleansing.DisagreementRun>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ExportService>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ReleaseService>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ReleaseCutter>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ReleaseVerifier>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ReleaseDownloadService>();
        builder.Services.AddSingleton<LabelHub.Domain.Releases.ReleaseChangeList>();
        builder.Services.AddSingleton<LabelHub.Domain.Planning.ProjectDeletion>();
        builder.Services.AddScoped<UserAdminService>();
        builder.Services.AddScoped<LabelHub.Domain.Collection.CrowdService>();
        builder.Services.AddScoped<LabelHub.Domain.Collection.CrowdMemberService>();
        return builder;
    }

    public static IServiceCollection AddLabelHubDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<SqliteWriteGate>();
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            // Pooled contexts: a request reuses a context instead of building one (measured in bench/).
            services.AddPooledDbContextFactory<PostgresLabelHubDbContext>(o => ConfigurePostgres(o, settings.ConnectionString));
            services.AddSingleton<IDbContextFactory<LabelHubDbContext>, DerivedContextFactory<PostgresLabelHubDbContext>>();
        }
        else
        {
            // One interceptor per process: it queues every write of every context at the process's one write gate.
            services.AddSingleton<SqliteWriteInterceptor>();
            services.AddPooledDbContextFactory<SqliteLabelHubDbContext>((sp, o) =>
                ConfigureSqlite(o, settings.ConnectionString).AddInterceptors(sp.GetRequiredService<SqliteWriteInterceptor>()));
            services.AddSingleton<IDbContextFactory<LabelHubDbContext>, DerivedContextFactory<SqliteLabelHubDbContext>>();
        }
        // Identity's stores and jobs want a scoped context.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContext());
        return services;
    }

    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqliteConnectionSetup.Instance);

    /// <summary>
    /// Brings the schema up to date. SQLite also switches to WAL, so readers never wait for the writer.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var settings = services.GetRequiredService<DatabaseSettings>();
        if (settings.IsEmbedded)
        {
            var path = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            DataFolder.EnsurePrivate(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        await using var db = await services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContextAsync(ct);
        await db.Database.MigrateAsync(ct);
        if (settings.IsEmbedded)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            // Password hashes and the data-protection keys live in it; SQLite gives its log and shared-memory files the
            // database file's mode when it creates them, and those made before now are tightened here.
            var path = Path.GetFullPath(new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource);
            DataFolder.MakePrivate(path, path + "-wal", path + "-shm", path + "-journal");
        }
    }

    private sealed class DerivedContextFactory<TDerived>(IDbContextFactory<TDerived> inner) : IDbContextFactory<LabelHubDbContext>
        where TDerived : LabelHubDbContext
    {
        public LabelHubDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<LabelHubDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
