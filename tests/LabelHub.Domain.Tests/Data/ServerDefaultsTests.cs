using LabelHub.Domain.Data;
using Npgsql;

namespace LabelHub.Domain.Tests.Data;

public class ServerDefaultsTests
{
    [Fact]
    public void A_connection_string_without_pool_settings_gets_the_small_pool_prepared_statements_and_no_reset()
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseSettings.WithServerDefaults("Host=db;Database=labelhub;Username=app"));

        Assert.Equal(DatabaseSettings.DefaultMaxPoolSize, applied.MaxPoolSize);
        Assert.Equal(64, applied.MaxAutoPrepare);
        Assert.True(applied.NoResetOnClose);
        Assert.Equal("db", applied.Host);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=9", 9)]
    [InlineData("Host=db; maxpoolsize = 11", 11)]
    [InlineData("Maximum Pool Size=120;Host=db", 120)]
    public void The_operators_pool_size_wins_however_it_is_spelled(string connectionString, int expected)
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseSettings.WithServerDefaults(connectionString));

        Assert.Equal(expected, applied.MaxPoolSize);
    }

    [Fact]
    public void A_minimum_pool_size_is_not_mistaken_for_the_maximum()
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseSettings.WithServerDefaults("Host=db;Minimum Pool Size=4"));

        Assert.Equal(4, applied.MinPoolSize);
        Assert.Equal(DatabaseSettings.DefaultMaxPoolSize, applied.MaxPoolSize);
    }
}
