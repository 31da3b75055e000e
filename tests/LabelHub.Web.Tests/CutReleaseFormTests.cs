using System.Text.Json;
using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Web.Components.Pages.Releases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The cut-a-release form against the real release service on SQLite (the cut's job is recorded, not run).</summary>
public sealed class CutReleaseFormTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Text = new() { Name = "text", Kind = FieldKind.Text };
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"], Required = true };

    private readonly WorkbenchDatabase database;

    public CutReleaseFormTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler, QueueOnlyScheduler>();
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<DuplicateService>();
        Services.AddSingleton(database.Service<SqliteWriteGate>());
        Services.AddSingleton<ReleaseCutter>();
        Services.AddSingleton<ReleaseVerifier>();
        Services.AddSingleton<ReleaseService>();
    }

    [Fact]
    public async Task Ratios_that_do_not_make_100_are_said_inline_and_nothing_is_previewed()
    {
        var (user, projectId) = await LabeledProjectAsync(positive: 3, negative: 1);
        var form = RenderForm(user, projectId);

        form.Find("input[data-testid=release-ratio-train]").Change("70");
        Assert.Contains("they add up to 90 %", form.Find("[data-testid=release-ratios-error]").TextContent, StringComparison.Ordinal);
        form.Find("button[data-testid=release-preview]").Click();
        Assert.Empty(form.FindAll("[data-testid=release-preview-result]"));

        form.Find("input[data-testid=release-ratio-validation]").Change("20");
        Assert.Empty(form.FindAll("[data-testid=release-ratios-error]"));
    }

    [Fact]
    public async Task Preview_shows_the_items_and_the_label_balance_per_split()
    {
        var (user, projectId) = await LabeledProjectAsync(positive: 6, negative: 4);
        var form = RenderForm(user, projectId);

        form.Find("button[data-testid=release-preview]").Click();

        form.WaitForAssertion(() => Assert.Contains("10 items would be released: 0 kept from the last release, 10 new. The filter leaves out 1.",
            form.Find("[data-testid=release-preview-counts]").TextContent, StringComparison.Ordinal));
        var sizes = form.FindAll("[data-testid=split-size-items]").Select(c => int.Parse(c.TextContent.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, sizes.Count);
        Assert.Equal(10, sizes.Sum());
        var labels = form.FindAll("[data-testid=split-label-row]").Select(r => r.GetAttribute("data-label")).ToList();
        Assert.Equal(["positive", "negative"], labels);
        // Each label cell shows the share of its split and the count; the counts of a label add up to its items.
        var positiveCounts = form.FindAll("[data-testid=split-label-row][data-label=positive] [data-testid=split-label-cell] span")
            .Select(s => int.Parse(s.TextContent.Trim(' ', '(', ')'), System.Globalization.CultureInfo.InvariantCulture)).Sum();
        Assert.Equal(6, positiveCounts);
    }

    [Fact]
    public async Task A_setting_the_server_refuses_is_said_on_the_field_it_names()
    {
        var (user, projectId) = await LabeledProjectAsync(positive: 2, negative: 2);
        var form = RenderForm(user, projectId);

        form.Find("input[data-testid=release-seed]").Input("");
        form.Find("button[data-testid=release-preview]").Click();

        form.WaitForAssertion(() => Assert.Contains("A split needs a seed.", form.Find("[data-testid=release-form]").TextContent, StringComparison.Ordinal));
        Assert.Empty(form.FindAll("[data-testid=release-form-error]"));
        Assert.Empty(form.FindAll("[data-testid=release-preview-result]"));
    }

    [Fact]
    public async Task Enter_in_the_seed_previews_and_Ctrl_Enter_cuts_then_a_second_cut_is_refused_while_the_first_is_cutting()
    {
        var (user, projectId) = await LabeledProjectAsync(positive: 2, negative: 1);
        (ReleaseInfo Release, JobRunInfo Job)? started = null;
        var form = Render<CutReleaseForm>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId).Add(c => c.Schema, new LabelSchema { Fields = [Text, Sentiment] })
            .Add(c => c.OnStarted, (ValueTuple<ReleaseInfo, JobRunInfo> s) => started = s));

        form.Find("input[data-testid=release-seed]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        form.WaitForAssertion(() => Assert.Single(form.FindAll("[data-testid=release-preview-result]")));
        Assert.Null(started);

        form.Find("[data-testid=release-form]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter", CtrlKey = true });
        form.WaitForAssertion(() => Assert.NotNull(started));
        Assert.Equal(1, started!.Value.Release.Number);
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.ProjectId == projectId);
            Assert.Equal(ReleaseState.Cutting, release.State);
            Assert.Equal(started.Value.Job.Id, release.JobRunId);
        }
        var listed = Assert.Single(await Services.GetRequiredService<ReleaseService>().ListAsync(user, projectId));
        Assert.StartsWith("annotator-", listed.CreatedBy, StringComparison.Ordinal);

        form.Find("button[data-testid=release-cut]").Click();
        form.WaitForAssertion(() => Assert.Contains("being cut", form.Find("[data-testid=release-form-error]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_synthetic_switch_lets_in_the_synthetic_items_people_confirmed_and_the_preview_says_why_the_others_stay_out()
    {
        var (user, projectId) = await LabeledProjectAsync(positive: 3, negative: 1);
        var second = await database.CreateUserAsync();
        var generatorId = Guid.NewGuid();
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            db.Generators.Add(new LabelHub.Domain.Synthesis.Generator
            {
                Id = generatorId,
                ProjectId = projectId,
                Version = 1,
                State = LabelHub.Domain.Synthesis.GeneratorState.Ready,
                Field = "sentiment",
                Labels = ["positive", "negative"],
                ImageSide = 28,
                Channels = 1,
                JobRunId = Guid.NewGuid(),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        // Asked for "positive" twice: annotators confirmed one and called the other negative.
        foreach (var (answer, seed) in new[] { ("positive", 1L), ("negative", 2L) })
        {
            var itemId = await database.AddItemAsync(projectId, new { text = "generated" });
            await using (var db = await database.Factory.CreateDbContextAsync())
            {
                await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(u => u
                    .SetProperty(i => i.SyntheticGeneratorId, generatorId).SetProperty(i => i.SyntheticLabel, "positive").SetProperty(i => i.SyntheticSeed, seed));
            }
            await AnswerAsync(projectId, itemId, user.UserId, answer);
            await AnswerAsync(projectId, itemId, second.UserId, answer);
        }
        var form = RenderForm(user, projectId);

        form.Find("button[data-testid=release-preview]").Click();
        form.WaitForAssertion(() => Assert.Contains("4 items would be released: 0 kept from the last release, 4 new. The filter leaves out 3.",
            form.Find("[data-testid=release-preview-counts]").TextContent, StringComparison.Ordinal));
        Assert.Equal("2 of those left out are synthetic items this release does not ask for.", form.Find("[data-testid=release-preview-synthetic-not-asked]").TextContent.Trim());
        Assert.Empty(form.FindAll("[data-testid=release-preview-synthetic-not-confirmed]"));

        var toggle = form.Find("[data-testid=release-include-synthetic]");
        (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input")!).Change(true);
        form.Find("button[data-testid=release-preview]").Click();
        form.WaitForAssertion(() => Assert.Contains("5 items would be released: 0 kept from the last release, 5 new. The filter leaves out 2.",
            form.Find("[data-testid=release-preview-counts]").TextContent, StringComparison.Ordinal));
        Assert.Equal("1 of those left out are synthetic items people did not confirm (another class, or no final answer yet).",
            form.Find("[data-testid=release-preview-synthetic-not-confirmed]").TextContent.Trim());
        Assert.Empty(form.FindAll("[data-testid=release-preview-synthetic-not-asked]"));
    }

    private IRenderedComponent<CutReleaseForm> RenderForm(Actor user, Guid projectId) =>
        Render<CutReleaseForm>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId).Add(c => c.Schema, new LabelSchema { Fields = [Text, Sentiment] }));

    /// <summary>Items two annotators agree on (positive, then negative), and one item they tie on, which the filter leaves out.</summary>
    private async Task<(Actor User, Guid ProjectId)> LabeledProjectAsync(int positive, int negative)
    {
        var user = await database.CreateUserAsync();
        var second = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Text, Sentiment);
        var labels = Enumerable.Repeat("positive", positive).Concat(Enumerable.Repeat("negative", negative));
        foreach (var label in labels)
        {
            var itemId = await database.AddItemAsync(projectId, new { text = "an item" });
            await AnswerAsync(projectId, itemId, user.UserId, label);
            await AnswerAsync(projectId, itemId, second.UserId, label);
        }
        var tied = await database.AddItemAsync(projectId, new { text = "a tie" });
        await AnswerAsync(projectId, tied, user.UserId, "positive");
        await AnswerAsync(projectId, tied, second.UserId, "negative");
        return (user, projectId);
    }

    private async Task AnswerAsync(Guid projectId, long itemId, Guid annotatorId, string label)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        db.Annotations.Add(new Annotation
        {
            ProjectId = projectId,
            ItemId = itemId,
            AnnotatorId = annotatorId,
            AuthorId = annotatorId,
            Version = 1,
            IsCurrent = true,
            Reason = AnnotationReason.Submit,
            Values = new Dictionary<string, JsonElement> { ["sentiment"] = JsonSerializer.SerializeToElement(label) },
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private sealed class QueueOnlyScheduler : IJobScheduler
    {
        public string Enqueue(Guid jobRunId) => jobRunId.ToString("N");
    }
}
