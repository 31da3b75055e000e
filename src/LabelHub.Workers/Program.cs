using LabelHub.Domain.Data;
using LabelHub.Workers;
using LabelHub.Workers.Jobs;
using Microsoft.Extensions.Hosting;

// `LabelHub.Workers migrate` applies the database migrations and exits; anything else runs a job server.
var migrateOnly = args.Length > 0 && args[0] == "migrate";
var builder = Host.CreateApplicationBuilder(migrateOnly ? args[1..] : args);
if (DatabaseSettings.FromConfiguration(builder.Configuration).IsEmbedded)
{
    Console.Error.WriteLine("LabelHub.Workers needs PostgreSQL: set ConnectionStrings__LabelHub. In embedded mode the web process runs the jobs itself.");
    return 2;
}
builder.AddLabelHubLogging("workers");
builder.AddLabelHubDomain();
if (migrateOnly)
{
    using var migrationHost = builder.Build();
    try
    {
        await DatabaseSetup.MigrateAsync(migrationHost.Services);
    }
    catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
    {
        Console.Error.WriteLine($"Migration failed: {ex.GetBaseException().Message}");
        return 1;
    }
    Console.WriteLine("Database is up to date.");
    return 0;
}
builder.AddLabelHubJobs(runJobServer: true);
await builder.Build().RunAsync();
return 0;
