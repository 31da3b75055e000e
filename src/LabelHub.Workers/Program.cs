using LabelHub.Domain.Data;
using LabelHub.Workers;
using LabelHub.Workers.Jobs;
using LabelHub.Workers.Learning;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

// `LabelHub.Workers migrate` applies the database migrations and exits; `check-learning` says whether TorchSharp loads
// in this installation (exit 0) or why not (exit 1); anything else runs a job server.
var command = args.Length > 0 && args[0] is "migrate" or "check-learning" ? args[0] : null;
var builder = Host.CreateApplicationBuilder(command is null ? args : args[1..]);
if (command == "check-learning")
{
    var learning = new TorchRuntime(TorchSettings.FromConfiguration(builder.Configuration), NullLogger<TorchRuntime>.Instance).Availability;
    Console.WriteLine(learning.Available ? $"Learning is available on the {learning.Device}." : $"Learning is unavailable: {learning.Reason}");
    return learning.Available ? 0 : 1;
}
var migrateOnly = command == "migrate";
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
