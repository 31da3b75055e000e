using LabelHub.Domain.Data;
using LabelHub.Web;
using LabelHub.Workers;
using LabelHub.Workers.Jobs;

var builder = WebApplication.CreateBuilder(args);
// The one place Web uses Workers (BannedSymbols.txt): the same logging, and in embedded mode the job server itself.
#pragma warning disable RS0030
builder.AddLabelHubLogging("web");
builder.AddLabelHubDomain();
builder.AddLabelHubJobs(runJobServer: JobsSetup.WebRunsJobServer(builder.Configuration));
#pragma warning restore RS0030
builder.AddLabelHubWeb();

var app = builder.Build();
app.UseLabelHubWeb();
app.Run();
