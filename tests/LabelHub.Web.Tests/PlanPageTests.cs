using System.Security.Claims;
using System.Text.Json;
using Bunit;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>
/// The plan page, the pipeline page and the project list against the real plan service on a SQLite database, with
/// answers stored as the labeling page leaves them.
/// </summary>
public sealed class PlanPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public PlanPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<PlanService>();
    }

    // 10 items × 10 s = 100 s of work, 36 s a day (0.01 h), weekends worked: 2.78 → 3 days from today.
    private static ProjectPlan Plan => new()
    {
        TargetItems = 10,
        SecondsPerLabel = 10,
        Annotators = 1,
        HoursPerDay = 0.01,
        CostPerHour = 100,
        Budget = 10,
        Currency = "USD",
        StartDate = DateOnly.FromDateTime(DateTime.UtcNow),
        WorkWeekends = true,
    };

    [Fact]
    public async Task A_slower_measured_pace_shows_the_gaps_in_red_with_the_days_late()
    {
        // 3 answers of 60 s: 7 left × 60 s = 420 s ÷ 36 s a day = 11.7 → 12 days, 9 later than planned; 60 labels an hour.
        var (user, projectId) = await ProjectWithAnswersAsync(seconds: 60);

        var page = await OpenPlanAsync(user, projectId, "[data-testid=plan-estimate]");

        Assert.Equal("true", page.Find("[data-testid=gap-hours]").GetAttribute("data-over"));
        Assert.Equal("true", page.Find("[data-testid=gap-cost]").GetAttribute("data-over"));
        Assert.Equal("true", page.Find("[data-testid=gap-days]").GetAttribute("data-over"));
        Assert.Contains("mud-error-text", page.Find("[data-testid=gap-days]").ClassName, StringComparison.Ordinal);
        Assert.Equal("9 days late at the measured 60 labels/hour/annotator.", page.Find("[data-testid=plan-sentence]").TextContent.Trim());
        Assert.Equal("10", page.Find("input[data-testid=plan-target-items]").GetAttribute("value"));
    }

    [Fact]
    public async Task A_faster_measured_pace_shows_the_gaps_in_green_in_korean()
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("ko");
        // 7 left × 5 s = 35 s: 1 day, finishing today, 2 days before the plan; 720 labels an hour.
        var (user, projectId) = await ProjectWithAnswersAsync(seconds: 5);

        var page = await OpenPlanAsync(user, projectId, "[data-testid=plan-estimate]");

        Assert.Equal("false", page.Find("[data-testid=gap-hours]").GetAttribute("data-over"));
        Assert.Equal("false", page.Find("[data-testid=gap-days]").GetAttribute("data-over"));
        Assert.Contains("mud-success-text", page.Find("[data-testid=gap-days]").ClassName, StringComparison.Ordinal);
        Assert.Equal("측정된 작업자당 시간당 720개 라벨 속도로 2일 빠릅니다.", page.Find("[data-testid=plan-sentence]").TextContent.Trim());
        Assert.Contains("저장하고 추정하기", page.Find("button[data-testid=plan-save]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_figure_the_server_refuses_is_said_on_its_field_and_a_good_one_is_saved_and_estimated()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        var page = await OpenPlanAsync(user, projectId, "[data-testid=plan-form]");
        Assert.Contains("Target items", page.Find("[data-testid=plan-missing]").TextContent, StringComparison.Ordinal);

        page.Find("input[data-testid=plan-target-items]").Input("-5");
        page.Find("[data-testid=plan-form]").Submit();
        page.WaitForAssertion(() => Assert.Contains("The target size is between 1 and 100,000,000 items.", page.Find("[data-testid=plan-form]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(page.Find("[data-testid=plan-validation]"));

        page.Find("input[data-testid=plan-target-items]").Input("1000");
        page.Find("input[data-testid=plan-seconds]").Input("36");
        page.Find("[data-testid=plan-form]").Submit();
        // 1,000 items × overlap 1 × 36 s = 10 annotator-hours.
        page.WaitForAssertion(() => Assert.Contains("10.00", page.Find("[data-testid=estimate-hours]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=plan-validation]"));
        Assert.Equal(1000, (await new PlanService(database.Factory, TimeProvider.System).GetAsync(user, projectId)).Plan.TargetItems);
    }

    [Fact]
    public async Task The_pipeline_page_shows_six_stages_with_their_state_kpis_and_next_action()
    {
        var (user, projectId) = await ProjectWithAnswersAsync(seconds: 20);

        var page = await OpenAsync(user, () => Render<PipelinePage>(p => p.Add(c => c.ProjectId, projectId)), "[data-testid=pipeline-overview]");

        var stages = page.FindAll("[data-testid=pipeline-stage]");
        Assert.Equal(["Plan", "Collect", "Label", "Cleanse", "Finalize", "SynthesizeAndLearn"], stages.Select(s => s.GetAttribute("data-stage")));
        Assert.Equal(["Done", "Done", "InProgress", "NotStarted", "NotStarted", "NotStarted"], stages.Select(s => s.GetAttribute("data-state")));
        var label = stages[2];
        Assert.NotNull(label.QuerySelector("[data-testid=pipeline-current]"));
        Assert.Contains("3 (target 10)", label.QuerySelector("[data-kpi='label.completed']")!.TextContent, StringComparison.Ordinal);
        // Being under the size is progress, not a missed target: neither red nor green.
        Assert.Equal("NoTarget", label.QuerySelector("[data-kpi='label.completed']")!.GetAttribute("data-status"));
        var cleanse = stages[3].QuerySelector("[data-testid=pipeline-next]")!;
        Assert.Equal(("Run cleansing →", $"/projects/{projectId}/cleansing"), (cleanse.TextContent.Trim(), cleanse.GetAttribute("href")));
        Assert.Equal("Green", page.Find("[data-testid=project-health]").GetAttribute("data-health"));
    }

    [Fact]
    public async Task The_project_list_shows_each_projects_stage_and_health()
    {
        var (user, projectId) = await ProjectWithAnswersAsync(seconds: 20);
        var unplanned = await database.CreateProjectAsync(user, Sentiment);

        var page = await OpenAsync(user, () => Render<ProjectsPage>(), "[data-testid=projects-table]");

        var labeling = page.Find($"[data-testid=project-row][data-project-id='{projectId}']");
        Assert.Equal("Label", labeling.QuerySelector("[data-testid=project-stage]")!.GetAttribute("data-stage"));
        Assert.Equal("Green", labeling.QuerySelector("[data-testid=project-health]")!.GetAttribute("data-health"));
        var empty = page.Find($"[data-testid=project-row][data-project-id='{unplanned}']");
        Assert.Equal("Plan", empty.QuerySelector("[data-testid=project-stage]")!.GetAttribute("data-stage"));
        Assert.Contains("Plan", empty.QuerySelector("[data-testid=project-stage]")!.TextContent, StringComparison.Ordinal);
    }

    private Task<IRenderedComponent<PlanPage>> OpenPlanAsync(Actor user, Guid projectId, string ready) =>
        OpenAsync(user, () => Render<PlanPage>(p => p.Add(c => c.ProjectId, projectId)), ready);

    private async Task<IRenderedComponent<TPage>> OpenAsync<TPage>(Actor user, Func<IRenderedComponent<TPage>> render, string ready) where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = render();
        await page.WaitForElementAsync(ready, TimeSpan.FromSeconds(20));
        return page;
    }

    /// <summary>A planned project of 10 items with 3 answers of <paramref name="seconds"/> each by one annotator, just now.</summary>
    private async Task<(Actor User, Guid ProjectId)> ProjectWithAnswersAsync(int seconds)
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        await new PlanService(database.Factory, TimeProvider.System).UpdateAsync(user, projectId, new PlanInput(Plan));
        var items = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            items.Add(await database.AddItemAsync(projectId, new { text = $"review {i}" }));
        }
        await using var db = await database.Factory.CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        foreach (var itemId in items.Take(3))
        {
            var assignment = new Assignment
            {
                ProjectId = projectId,
                ItemId = itemId,
                UserId = user.UserId,
                State = AssignmentState.Submitted,
                LeasedAt = now.AddSeconds(-seconds),
                LeaseExpiresAt = now.AddMinutes(30),
                CompletedAt = now,
            };
            db.Assignments.Add(assignment);
            await db.SaveChangesAsync();
            db.Annotations.Add(new Annotation
            {
                ProjectId = projectId,
                ItemId = itemId,
                AnnotatorId = user.UserId,
                AuthorId = user.UserId,
                Version = 1,
                IsCurrent = true,
                Reason = AnnotationReason.Submit,
                Values = new() { ["sentiment"] = JsonSerializer.SerializeToElement("positive") },
                DurationMs = seconds * 1000,
                AssignmentId = assignment.Id,
                CreatedAt = now,
            });
        }
        await db.SaveChangesAsync();
        await db.Items.Where(i => items.Take(3).Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, 1).SetProperty(i => i.SubmittedCount, 1));
        return (user, projectId);
    }
}
