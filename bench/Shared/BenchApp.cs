using LabelHub.Bench.Distribution;
using LabelHub.Domain.Data;
using LabelHub.Web;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LabelHub.Bench;

/// <summary>
/// LabelHub in the benchmark's own process, on a throwaway database: a <c>labelhub</c> database on the given local
/// PostgreSQL server, or a SQLite file in <paramref name="dataDir"/> when there is none; migrated, job server off.
/// </summary>
public static class BenchApp
{
    public static async Task<WebApplication> StartAsync(LocalPostgres? server, string dataDir, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?> { ["LabelHub:DataDir"] = dataDir, ["LabelHub:RunJobServer"] = "false" };
        if (server is not null)
        {
            await using var connection = new NpgsqlConnection(server.BaseConnectionString);
            await connection.OpenAsync(ct);
            // A UTF-8 character type, as the postgres image has (en_US.utf8): under LC_CTYPE C, pg_trgm takes no trigrams
            // from Hangul, so a Korean search would scan every row. Collation stays C for the same order as the tests.
            await using var create = new NpgsqlCommand("CREATE DATABASE labelhub TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'", connection);
            await create.ExecuteNonQueryAsync(ct);
            settings["ConnectionStrings:LabelHub"] = new NpgsqlConnectionStringBuilder(server.BaseConnectionString) { Database = "labelhub" }.ConnectionString;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(WebSetup).Assembly.GetName().Name, EnvironmentName = "Production", Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.AddLabelHubDomain();
        builder.AddLabelHubJobs(runJobServer: false);
        builder.AddLabelHubWeb();
        var app = builder.Build();
        await DatabaseSetup.MigrateAsync(app.Services, ct);
        return app;
    }
}
