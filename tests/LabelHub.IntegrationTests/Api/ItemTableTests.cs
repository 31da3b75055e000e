using System.Net;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The data manager's query engine (issue 17) on both providers: every filter alone and combined, every sort in both
/// directions paged through several pages against the same order computed in C#, search, cursors and GET /items.
/// </summary>
public sealed class ItemTableTests
{
    private static readonly ItemSortColumn[] Columns = Enum.GetValues<ItemSortColumn>();

    public static TheoryData<string> Providers => TestDatabases.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_filter_alone_and_combined_selects_what_the_seeded_rows_say(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var seed = await ItemTableSeed.CreateAsync(app);
        var table = app.Service<ItemTableService>();
        var cases = new List<(string Name, ItemFilter Filter, Func<ExpectedItem, bool> Expect)>
        {
            ("nothing", new ItemFilter(), _ => true),
            ("unlabeled", new ItemFilter { Statuses = [ItemStatus.Unlabeled] }, e => e.Status == ItemStatus.Unlabeled),
            ("in progress", new ItemFilter { Statuses = [ItemStatus.InProgress] }, e => e.Status == ItemStatus.InProgress),
            ("completed", new ItemFilter { Statuses = [ItemStatus.Completed] }, e => e.Status == ItemStatus.Completed),
            ("unlabeled or completed", new ItemFilter { Statuses = [ItemStatus.Unlabeled, ItemStatus.Completed] }, e => e.Status is ItemStatus.Unlabeled or ItemStatus.Completed),
            ("label positive", new ItemFilter { Field = "sentiment", Label = "positive" }, e => e.CurrentLabels.Contains("positive")),
            ("label neutral only in an old version", new ItemFilter { Field = "sentiment", Label = "neutral" }, _ => false),
            ("annotator A", new ItemFilter { AnnotatorId = seed.AnnotatorA }, e => e.Annotators.Contains(seed.AnnotatorA)),
            ("agreement below 0.5", new ItemFilter { AgreementBelow = 0.5 }, e => e.Agreement < 0.5),
            ("gold", new ItemFilter { Gold = true }, e => e.IsGold),
            ("not gold", new ItemFilter { Gold = false }, e => !e.IsGold),
            ("has prediction", new ItemFilter { HasPrediction = true }, e => e.HasPrediction),
            ("no prediction", new ItemFilter { HasPrediction = false }, e => !e.HasPrediction),
            ("score 0.3 to 0.6 (the newest prediction's)", new ItemFilter { ScoreMin = 0.3, ScoreMax = 0.6 }, e => e.PredictionScore is >= 0.3 and <= 0.6),
            ("score from 0.9", new ItemFilter { ScoreMin = 0.9 }, e => e.PredictionScore >= 0.9),
            ("two sources", new ItemFilter { SourceIds = [seed.SourceIds[0], seed.SourceIds[2]] }, e => e.SourceId == seed.SourceIds[0] || e.SourceId == seed.SourceIds[2]),
            ("synthetic", new ItemFilter { Synthetic = true }, _ => false),
            ("not synthetic", new ItemFilter { Synthetic = false }, _ => true),
            ("release 1", new ItemFilter { ReleaseNumber = 1 }, e => e.Split is not null),
            ("release 1 test split", new ItemFilter { ReleaseNumber = 1, Split = "test" }, e => e.Split == 2),
            ("flagged", new ItemFilter { Flagged = true }, e => e.Flagged),
            ("not flagged", new ItemFilter { Flagged = false }, e => !e.Flagged),
            ("combined", new ItemFilter { Statuses = [ItemStatus.Completed, ItemStatus.InProgress], Field = "sentiment", Label = "negative", ReleaseNumber = 1, Gold = false },
                e => e.Status is ItemStatus.Completed or ItemStatus.InProgress && e.CurrentLabels.Contains("negative") && e.Split is not null && !e.IsGold),
            ("combined with search", new ItemFilter { Search = "sale", HasPrediction = true, Flagged = false }, e => e.Text?.Contains("sale", StringComparison.Ordinal) == true && e.HasPrediction && !e.Flagged),
        };
        foreach (var (name, filter, expect) in cases)
        {
            var want = seed.Items.Where(expect).Select(e => e.Id).Order().ToList();
            var got = await table.MatchingIdsAsync(seed.Manager, seed.ProjectId, filter, 10_000);
            Assert.True(want.SequenceEqual(got), $"{name}: expected [{string.Join(",", want)}], got [{string.Join(",", got)}]");
            // The page the table shows agrees with the ids bulk actions take.
            var page = await table.PageAsync(seed.Manager, seed.ProjectId, filter, new ItemSort(), null, 1000);
            Assert.Equal(want, page.Items.Select(r => r.Id).ToList());
        }
        // Not vacuous: the seed gives every filter something to find and something to leave out.
        Assert.All(cases.Where(c => c.Name is not ("nothing" or "synthetic" or "not synthetic" or "label neutral only in an old version")), c =>
        {
            var count = seed.Items.Count(c.Expect);
            Assert.True(count > 0 && count < ItemTableSeed.Count, $"{c.Name} selects {count}");
        });
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_sort_pages_in_both_directions_exactly_as_the_same_order_computed_in_memory(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var seed = await ItemTableSeed.CreateAsync(app);
        var table = app.Service<ItemTableService>();
        var filters = new[] { new ItemFilter(), new ItemFilter { Statuses = [ItemStatus.InProgress, ItemStatus.Completed] } };
        foreach (var column in Columns)
        {
            foreach (var descending in new[] { false, true })
            {
                foreach (var filter in filters)
                {
                    var sort = new ItemSort(column, descending);
                    var want = Ordered(seed, seed.Items.Where(e => filter.Statuses.Count == 0 || filter.Statuses.Contains(e.Status)), sort);
                    var got = new List<long>();
                    string? after = null;
                    var pages = 0;
                    do
                    {
                        var page = await table.PageAsync(seed.Manager, seed.ProjectId, filter, sort, after, 7);
                        Assert.True(page.Items.Count <= 7);
                        got.AddRange(page.Items.Select(r => r.Id));
                        after = page.Next;
                        pages++;
                    }
                    while (after is not null && pages < 100);
                    Assert.True(want.SequenceEqual(got), $"{column} {(descending ? "desc" : "asc")} ({filter.Statuses.Count} statuses): expected [{string.Join(",", want)}], got [{string.Join(",", got)}]");
                    Assert.True(pages >= 5);
                }
            }
        }
    }

    /// <summary>Values ascending or descending, ties by id in the same direction, items without a value last either way.</summary>
    private static List<long> Ordered(ItemTableSeed seed, IEnumerable<ExpectedItem> items, ItemSort sort)
    {
        var rank = seed.SourceIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var sourceOrder = seed.Items.Where(e => e.SourceId is not null).Select(e => (e.SourceId!.Value, e.SourceName!)).Distinct()
            .OrderBy(s => s.Item2, StringComparer.Ordinal).ThenBy(s => s.Value).Select((s, i) => (s.Value, i)).ToDictionary(p => p.Value, p => (double)p.i);
        double? Key(ExpectedItem e) => sort.Column switch
        {
            ItemSortColumn.Id => e.Id,
            ItemSortColumn.CreatedAt => e.CreatedAt.UtcTicks,
            ItemSortColumn.Priority => e.Priority,
            ItemSortColumn.SubmittedCount => e.SubmittedCount,
            ItemSortColumn.Agreement => e.Agreement,
            ItemSortColumn.PredictionScore => e.PredictionScore,
            ItemSortColumn.Source => e.SourceId is { } s ? sourceOrder[s] : null,
            _ => throw new ArgumentOutOfRangeException(nameof(sort)),
        };
        var list = items.ToList();
        Assert.NotEmpty(rank);
        var withValue = list.Where(e => Key(e) is not null);
        var ordered = sort.Descending
            ? withValue.OrderByDescending(e => Key(e)).ThenByDescending(e => e.Id)
            : withValue.OrderBy(e => Key(e)).ThenBy(e => e.Id);
        var nulls = list.Where(e => Key(e) is null);
        return [.. ordered.Select(e => e.Id), .. (sort.Descending ? nulls.OrderByDescending(e => e.Id) : nulls.OrderBy(e => e.Id)).Select(e => e.Id)];
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Search_finds_Korean_text_case_insensitively_and_takes_percent_and_underscore_literally(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var seed = await ItemTableSeed.CreateAsync(app);
        var table = app.Service<ItemTableService>();
        foreach (var (query, fragment) in new[]
        {
            ("고양이", "고양이"), ("고양", "고양"), ("사진 1", "사진 1"), ("hello world", "Hello World"), ("HELLO", "Hello"),
            ("50%", "50%"), ("e_c", "e_c"), ("%", "%"), ("_", "_"), ("img-", "img-"),
        })
        {
            var want = seed.Items.Where(e => e.Text?.Contains(fragment, StringComparison.Ordinal) == true).Select(e => e.Id).Order().ToList();
            var got = await table.MatchingIdsAsync(seed.Manager, seed.ProjectId, new ItemFilter { Search = query }, 10_000);
            Assert.True(want.SequenceEqual(got), $"'{query}': expected [{string.Join(",", want)}], got [{string.Join(",", got)}]");
            if (query is not ("img-"))
            {
                Assert.NotEmpty(got);
            }
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Status_and_derived_columns_agree_with_the_rules_elsewhere(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var seed = await ItemTableSeed.CreateAsync(app);
        var table = app.Service<ItemTableService>();
        await using var db = app.CreateDbContext();
        var completed = await db.Items.Where(i => i.ProjectId == seed.ProjectId).WhereCompleted(db, 2).Select(i => i.Id).OrderBy(id => id).ToListAsync();
        Assert.Equal(completed, await table.MatchingIdsAsync(seed.Manager, seed.ProjectId, new ItemFilter { Statuses = [ItemStatus.Completed] }, 10_000));
        var rows = (await table.PageAsync(seed.Manager, seed.ProjectId, new ItemFilter(), new ItemSort(), null, 1000)).Items;
        foreach (var row in rows)
        {
            var e = seed.Items.Single(x => x.Id == row.Id);
            Assert.Equal((e.Status, e.Agreement, e.PredictionScore, e.Flagged, e.SourceName), (row.Status, row.Agreement, row.PredictionScore, row.Flagged, row.SourceName));
            Assert.False(string.IsNullOrEmpty(row.Preview));
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Get_items_takes_the_filters_as_parameters_and_names_the_one_it_refuses(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var seed = await ItemTableSeed.CreateAsync(app);
        var manager = seed.ManagerClient;
        var url = $"/api/v1/projects/{seed.ProjectId}/items";

        var filtered = await manager.GetAsync<ItemPage>($"{url}?status=in_progress,completed&gold=false&release=1&split=train&sort=prediction_score&order=desc&limit=3");
        var want = Ordered(seed, seed.Items.Where(e => e.Status is ItemStatus.InProgress or ItemStatus.Completed && !e.IsGold && e.Split == 0),
            new ItemSort(ItemSortColumn.PredictionScore, Descending: true));
        var got = filtered.Items.Select(i => i.Id).ToList();
        for (var next = filtered.Next; next is not null;)
        {
            var page = await manager.GetAsync<ItemPage>($"{url}?status=in_progress&status=completed&gold=false&release=1&split=train&sort=prediction_score&order=desc&limit=3&after={Uri.EscapeDataString(next)}");
            got.AddRange(page.Items.Select(i => i.Id));
            next = page.Next;
        }
        Assert.Equal(want, got);
        Assert.Null(filtered.NextAfter);

        // The id order still pages with a plain id, as scripts did before the data manager.
        var first = await manager.GetAsync<ItemPage>($"{url}?limit=10");
        Assert.Equal(first.Items[^1].Id, first.NextAfter);
        var second = await manager.GetAsync<ItemPage>($"{url}?limit=10&after={first.NextAfter}");
        Assert.Equal(seed.Items.Select(e => e.Id).Order().Skip(10).Take(10), second.Items.Select(i => i.Id));

        var byText = await manager.GetAsync<ItemPage>($"{url}?q={Uri.EscapeDataString("50%")}&source={seed.SourceIds[0]},{seed.SourceIds[1]}");
        Assert.Equal(seed.Items.Where(e => e.Text?.Contains("50%", StringComparison.Ordinal) == true && e.SourceId is not null && e.SourceId != seed.SourceIds[2]).Select(e => e.Id).Order(),
            byText.Items.Select(i => i.Id));

        foreach (var (query, parameter) in new[]
        {
            ("status=done", "status"), ("gold=yes", "gold"), ("hasPrediction=1", "hasPrediction"), ("flagged=maybe", "flagged"), ("synthetic=x", "synthetic"),
            ("agreementBelow=half", "agreementBelow"), ("agreementBelow=2", "agreementBelow"), ("scoreMin=abc", "scoreMin"), ("scoreMax=1.5", "scoreMax"),
            ("scoreMin=0.8&scoreMax=0.2", "scoreMin"), ("source=abc", "source"), ("annotator=bob", "annotator"), ("release=first", "release"),
            ("release=9", "release"), ("split=train", "split"), ("release=1&split=holdout", "split"), ("field=sentiment", "label"), ("label=positive", "field"),
            ("sort=colour", "sort"), ("order=up", "order"), ("limit=0", "limit"), ("limit=5000", "limit"), ("after=abc", "after"),
            ("sort=priority&after=12", "after"), ("sort=priority&after=" + TamperedCursor(), "after"),
        })
        {
            var response = await manager.Http.GetAsync($"{url}?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {response.StatusCode}");
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"{query}: {problem}");
        }

        // A cursor of one sort is refused by another.
        var agreementPage = await manager.GetAsync<ItemPage>($"{url}?sort=agreement&limit=2");
        Assert.NotNull(agreementPage.Next);
        var crossed = await manager.Http.GetAsync($"{url}?sort=priority&after={Uri.EscapeDataString(agreementPage.Next)}");
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
    }

    /// <summary>Valid base64url of JSON that is not a cursor.</summary>
    private static string TamperedCursor() => Convert.ToBase64String("{\"c\":\"Nope\"}"u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Theory, MemberData(nameof(Providers))]
    public async Task Agreement_follows_answers_submitted_through_the_labeling_path(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("agree-boss", LabelHub.Domain.Identity.Roles.Manager);
        var project = await ApiTestHelpers.CreateProjectAsync(manager, "Agree", overlap: 2);
        var import = await manager.PostAsync<LabelHub.Domain.Jobs.JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" } });
        await ApiTestHelpers.WaitForJobAsync(manager, import.Id);
        string[] labels = ["positive", "negative"];
        for (var who = 0; who < 2; who++)
        {
            var annotator = await app.CreateUserClientAsync($"agree-ann-{who}", LabelHub.Domain.Identity.Roles.Annotator);
            await ApiTestHelpers.AddMemberAsync(manager, project.Id, annotator.UserId);
            var task = JsonDocument.Parse(await (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).Content.ReadAsStringAsync()).RootElement;
            var submit = await annotator.PostRawAsync($"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                new LabelHub.Domain.Labeling.SubmitRequest(ApiTestHelpers.Values(("sentiment", labels[who]))));
            await ApiClient.EnsureAsync(submit);
        }
        var row = Assert.Single((await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items?agreementBelow=0.5")).Items);
        Assert.Equal(0.0, row.Agreement);
        Assert.Equal(ItemStatus.Completed, row.Status);
    }
}
