using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Cleansing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The cleansing page's detector buttons against the real detectors service on SQLite (jobs are recorded, not run).</summary>
public sealed class DetectorsPanelTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Note = new() { Name = "note", Kind = FieldKind.Text };
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public DetectorsPanelTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler, QueueOnlyScheduler>();
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<ILearningRuntime>(new AvailableRuntime());
        Services.AddSingleton<CleansingDetectors>();
    }

    [Fact]
    public async Task Too_few_labels_for_label_errors_is_said_on_the_panel_and_disagreement_starts_a_job_on_the_chosen_field()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Note, Sentiment);
        var panel = Render<DetectorsPanel>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId).Add(c => c.Schema, new LabelSchema { Fields = [Note, Sentiment] }));

        panel.Find("[data-testid=detectors-label-errors]").Click();
        panel.WaitForAssertion(() => Assert.Contains("at least 50 labeled items", panel.Find("[data-testid=detectors-message]").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("[data-testid=cleansing-job]"));

        panel.Find("[data-testid=detectors-disagreement]").Click();
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=cleansing-job]")));
        Assert.True(panel.Find("[data-testid=detectors-label-errors]").HasAttribute("disabled"), "One detector at a time from the panel.");
        await using var db = await database.Factory.CreateDbContextAsync();
        var job = await db.JobRuns.AsNoTracking().SingleAsync(j => j.ProjectId == projectId);
        Assert.Equal(CleansingJobs.Disagreement.Kind, job.Kind);
        Assert.Equal("sentiment", CleansingJobs.Disagreement.ReadParameters(job).Field);
    }

    [Fact]
    public async Task A_project_without_a_single_choice_field_gets_an_explanation_instead_of_buttons()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Note);
        var panel = Render<DetectorsPanel>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId).Add(c => c.Schema, new LabelSchema { Fields = [Note] }));

        Assert.Contains("no single-choice field", panel.Find("[data-testid=cleansing-detectors]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=detectors-label-errors]"));
    }

    private sealed class AvailableRuntime : ILearningRuntime
    {
        public LearningAvailability Availability => LearningAvailability.Ready("cpu");
    }

    private sealed class QueueOnlyScheduler : IJobScheduler
    {
        public string Enqueue(Guid jobRunId) => jobRunId.ToString("N");
    }
}
