using LabelHub.Domain.Data;

namespace LabelHub.IntegrationTests.Infrastructure;

/// <summary>Fresh, real databases for each test: a temp SQLite file, or a new database on a shared PostgreSQL server.</summary>
public static class TestDatabases
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Both providers, for [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))].</summary>
    public static TheoryData<string> Providers => new() { Sqlite, Postgres };

    private static readonly Lazy<Task<PostgresServer>> Server = new(() => PostgresServer.StartAsync());

    public static async Task<DatabaseSettings> CreateAsync(string provider, string? name = null)
    {
        if (provider == Postgres)
        {
            var server = await Server.Value;
            return new DatabaseSettings(DatabaseProvider.Postgres, await server.CreateDatabaseAsync(name ?? "labelhub_test"));
        }
        var directory = Directory.CreateTempSubdirectory("labelhub-sqlite-");
        return DatabaseSettings.ForSqliteFile(Path.Combine(directory.FullName, "labelhub.db"));
    }
}
