using Npgsql;
using Xunit;

namespace LabelHub.IntegrationTests.Infrastructure;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Starts_a_real_server_and_creates_separate_empty_databases()
    {
        string firstDatabase;
        await using (var server = await PostgresServer.StartAsync())
        {
            firstDatabase = await server.CreateDatabaseAsync("first");
            var secondDatabase = await server.CreateDatabaseAsync();

            Assert.NotEqual(DatabaseName(firstDatabase), DatabaseName(secondDatabase));
            foreach (var connectionString in new[] { firstDatabase, secondDatabase })
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();

                Assert.Equal(1, await ScalarAsync<int>(connection, "select 1"));
                Assert.Equal(DatabaseName(connectionString), await ScalarAsync<string>(connection, "select current_database()"));
                Assert.False(string.IsNullOrWhiteSpace(await ScalarAsync<string>(connection, "show server_version")));
                Assert.Equal(0L, await ScalarAsync<long>(
                    connection, "select count(*) from information_schema.tables where table_schema = 'public'"));
            }
        }

        // After dispose the database is gone: the server was stopped, or (external server) the database dropped.
        var afterDispose = new NpgsqlConnectionStringBuilder(firstDatabase) { Pooling = false, Timeout = 5 };
        await using var staleConnection = new NpgsqlConnection(afterDispose.ConnectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => staleConnection.OpenAsync());
    }

    private static string? DatabaseName(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Database;

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
