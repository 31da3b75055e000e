using System.Security.Claims;
using Bunit;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Collection;
using LabelHub.Workers.Collection;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Extensions;

namespace LabelHub.Web.Tests;

/// <summary>
/// The import page against the real import and job services on a SQLite database. No job server runs here, so an
/// upload's import stays queued: what a manager sees while a long import waits or runs, and what Cancel does.
/// </summary>
public sealed class ImportPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public ImportPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler, QueueOnlyScheduler>();
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<StoredFileService>();
        Services.AddSingleton<LabelHub.Domain.Collection.ImportService>();
    }

    [Fact]
    public async Task A_waiting_import_can_be_cancelled_from_its_page_and_says_nothing_was_imported()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = Render<ImportPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=import-formats]", TimeSpan.FromSeconds(20));

        // The upload's handler follows its job until it ends, so it is started without waiting for it.
        var input = page.FindComponent<InputFile>();
        var upload = Task.Run(() => input.UploadFiles(InputFileContent.CreateFromText("text\nfirst\nsecond\n", "reviews.csv")));
        var cancel = await page.WaitForElementAsync("[data-testid=import-cancel]", TimeSpan.FromSeconds(20));
        Assert.Equal("Queued", page.Find("[data-testid=import-job]").GetAttribute("data-job-state"));

        await cancel.ClickAsync(new());
        await page.WaitForElementAsync("[data-testid=import-cancelled]", TimeSpan.FromSeconds(20));
        Assert.Contains("Nothing was imported.", page.Find("[data-testid=import-cancelled]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=import-cancel]"));
        await upload.WaitAsync(TimeSpan.FromSeconds(20));

        await using var db = await database.Factory.CreateDbContextAsync();
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.ProjectId == projectId);
        Assert.Equal(JobState.Cancelled, run.State);
        Assert.False(await db.Items.IgnoreQueryFilters().AnyAsync(i => i.ProjectId == projectId));
    }

    [Fact]
    public async Task A_finished_import_lists_each_identical_row_it_skipped_on_the_page()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = Render<ImportPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=import-formats]", TimeSpan.FromSeconds(20));

        // Line 4 repeats line 2. The upload waits for its job; the job is run here by the real executor and importer.
        var input = page.FindComponent<InputFile>();
        var upload = Task.Run(() => input.UploadFiles(InputFileContent.CreateFromText("text\nfirst\nsecond\nfirst\n", "reviews.csv")));
        await page.WaitForElementAsync("[data-testid=import-cancel]", TimeSpan.FromSeconds(20));
        Guid runId;
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            runId = (await db.JobRuns.AsNoTracking().SingleAsync(r => r.ProjectId == projectId)).Id;
        }
        var importer = new ItemImporter(database.Factory, TimeProvider.System, database.Service<SqliteWriteGate>(), Options.Create(new LabelHubOptions()));
        var executor = new JobExecutor(database.Factory, [new ImportJobHandler(importer)], TimeProvider.System, NullLogger<JobExecutor>.Instance);
        await executor.ExecuteAsync(runId, CancellationToken.None);

        await page.WaitForElementAsync("[data-testid=import-duplicate-row]", TimeSpan.FromSeconds(20));
        var row = page.Find("[data-testid=import-duplicate-row]");
        Assert.Equal(["4", "identical to line 2"], row.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Contains("Imported 2 items.", page.Find("[data-testid=import-imported]").TextContent);
        await upload.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_source_fields_go_with_the_upload_and_an_empty_name_takes_the_file_name()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = Render<ImportPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=import-source]", TimeSpan.FromSeconds(20));

        // The kind, licence and date are set; the name is left empty.
        var kind = page.FindComponent<MudBlazor.MudSelect<SourceKind>>();
        await page.InvokeAsync(() => kind.Instance.ValueChanged.InvokeAsync(SourceKind.OpenDataset));
        page.Find("input[data-testid=import-source-licence]").Input("CC0");
        page.Find("input[data-testid=import-source-date]").Input("2026-09-15");
        var input = page.FindComponent<InputFile>();
        var upload = Task.Run(() => input.UploadFiles(InputFileContent.CreateFromText("one\ntwo\n", "lines.txt")));
        await page.WaitForElementAsync("[data-testid=import-cancel]", TimeSpan.FromSeconds(20));

        Assert.Equal("lines.txt", page.FindComponent<MudBlazor.MudTextField<string>>().Instance.GetState(x => x.Value));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.ProjectId == projectId);
            var parameters = CollectionJobs.Import.ReadParameters(run);
            Assert.Equal(ItemFileFormat.Text, parameters.Format);
            Assert.Equal(new ImportSource("lines.txt", SourceKind.OpenDataset, "CC0", new DateOnly(2026, 9, 15)), parameters.Source);
        }
        await page.Find("[data-testid=import-cancel]").ClickAsync(new());
        await upload.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Records nothing and runs nothing: the import stays queued.</summary>
    private sealed class QueueOnlyScheduler : IJobScheduler
    {
        public string Enqueue(Guid jobRunId) => jobRunId.ToString("N");
    }
}
