using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LabelHub.Domain.Data;

/// <summary>Lets `dotnet ef` build each provider's model without a running host or a real server.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteLabelHubDbContext>
{
    public SqliteLabelHubDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteLabelHubDbContext>();
        DatabaseSetup.ConfigureSqlite(options, "Data Source=design-time.db");
        return new SqliteLabelHubDbContext(options.Options);
    }
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresLabelHubDbContext>
{
    public PostgresLabelHubDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresLabelHubDbContext>();
        DatabaseSetup.ConfigurePostgres(options, "Host=localhost;Database=labelhub_design");
        return new PostgresLabelHubDbContext(options.Options);
    }
}
