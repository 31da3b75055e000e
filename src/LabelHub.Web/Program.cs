using LabelHub.Domain.Data;
using LabelHub.Web;
using LabelHub.Workers;
using LabelHub.Workers.Jobs;

var builder = WebApplication.CreateBuilder(args);
builder.AddLabelHubLogging("web");
builder.AddLabelHubDomain();
builder.AddLabelHubJobs(runJobServer: JobsSetup.WebRunsJobServer(builder.Configuration));
builder.AddLabelHubWeb();

var app = builder.Build();
app.UseLabelHubWeb();
app.Run();
