using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;
using static LabelHub.IntegrationTests.Api.ReleaseTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// Grouped splits end to end (docs/releases/splits.md), on both databases: near-duplicate groups found by the cleansing
/// search stay in one split whatever the seed, a data key (a patient) never straddles two splits and a stratified split
/// keeps each label's shares, and new members of a group join the split their group already has.
/// </summary>
public sealed class ReleaseSplitTests
{
    private const int OpenGroups = 12;
    private const int GroupSize = 3;
    private const int Singletons = 20;

    // Variants of one text end differently: their character 5-grams still overlap far above the search's threshold.
    private static readonly string[] Endings = [".", "!", "?", " :)"];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Near_duplicate_groups_stay_in_one_split_for_every_seed_and_new_members_join_their_group(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var grown = false;
        foreach (var seed in new[] { "alpha", "beta" })
        {
            var project = await CreateProjectAsync(manager, $"dups {seed}", overlap: 1);
            // Open groups (undecided: every member stays in the project), one group marked distinct, single texts.
            var texts = new List<object>();
            for (var g = 0; g <= OpenGroups; g++)
            {
                texts.AddRange(Enumerable.Range(0, GroupSize).Select(v => new { text = Sentence(g) + Endings[v] }));
            }
            texts.AddRange(Enumerable.Range(100, Singletons).Select(s => new { text = Sentence(s) + "." }));
            await ImportItemsAsync(manager, project.Id, texts);
            var url = $"/api/v1/projects/{project.Id}/cleansing/duplicates";
            var search = await SearchAsync(manager, url);
            Assert.Equal((OpenGroups + 1, (OpenGroups + 1) * GroupSize), (search.Groups, search.ItemsInGroups));
            var found = (await manager.GetAsync<DuplicateGroupPage>($"{url}?limit=100")).Groups;
            var distinctGroup = found.Single(g => g.Members.Any(m => m.Text!.StartsWith(FormattableString.Invariant($"Review {OpenGroups}:"), StringComparison.Ordinal)));
            await manager.PostAsync<DuplicateDecisionResult>($"{url}/{distinctGroup.Id}/distinct", new { });

            var release = await CutAsync(manager, project.Id, new
            {
                filter = new { requireFinalAnswer = false },
                split = new { seed, grouping = "DuplicateGroups" },
            });
            var items = await ItemsAsync(app, project.Id);
            var splits = await SplitsAsync(app, release.ReleaseId);
            Assert.Equal(items.Count, splits.Count);
            for (var g = 0; g < OpenGroups; g++)
            {
                var members = GroupMembers(items, g);
                Assert.Equal(GroupSize, members.Count);
                Assert.Single(members.Select(id => splits[id]).Distinct());
            }
            // A group marked distinct is no duplicate: its members are units of their own. Each open group is one unit.
            Assert.Equal(items.Count - (OpenGroups * (GroupSize - 1)), release.Split.Units);
            Assert.True(splits.Values.Distinct().Count() >= 2, $"seed {seed} put all {release.Split.Units} units in one split");

            if (grown)
            {
                continue;
            }
            grown = true;
            // Growth: a new variant of every open group, found by the search again, joins the split its group has.
            var before = GroupMembers(items, 0).Concat(Enumerable.Range(1, OpenGroups - 1).SelectMany(g => GroupMembers(items, g)))
                .ToDictionary(id => id, id => splits[id]);
            await ImportItemsAsync(manager, project.Id, Enumerable.Range(0, OpenGroups).Select(g => new { text = Sentence(g) + Endings[GroupSize] }));
            var again = await SearchAsync(manager, url);
            Assert.Equal((OpenGroups, OpenGroups * (GroupSize + 1), 1), (again.Groups, again.ItemsInGroups, again.AlreadyDecided));
            var next = await CutAsync(manager, project.Id, new
            {
                filter = new { requireFinalAnswer = false },
                split = new { seed = "a seed nobody used", grouping = "DuplicateGroups" },
            });
            Assert.Equal((OpenGroups, 0), (next.Split.NewItems, next.Split.StraddlingGroups));
            var grownItems = await ItemsAsync(app, project.Id);
            var nextSplits = await SplitsAsync(app, next.ReleaseId);
            Assert.All(before, p => Assert.Equal(p.Value, nextSplits[p.Key]));
            for (var g = 0; g < OpenGroups; g++)
            {
                var members = GroupMembers(grownItems, g);
                Assert.Equal(GroupSize + 1, members.Count);
                Assert.Single(members.Select(id => nextSplits[id]).Distinct());
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_patient_never_straddles_two_splits_and_stratified_splits_keep_each_labels_shares(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "clinic", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        // 48 patients with 1 to 4 notes each (120 notes); a patient's notes share its label: 60 % positive, 20 % each other.
        const int Patients = 48;
        const int LargestPatient = 4;
        var notes = Enumerable.Range(0, Patients)
            .SelectMany(p => Enumerable.Range(0, (p % LargestPatient) + 1).Select(n => new { text = $"note {n} of {PatientName(p)}", patient = PatientName(p) }))
            .ToList();
        await ImportItemsAsync(manager, project.Id, notes);
        await AnswerAllAsync(project.Id, annotator);

        double[] ratios = [0.6, 0.2, 0.2];
        var request = new
        {
            split = new
            {
                seed = "clinic seed",
                mode = "Stratified",
                labelField = "sentiment",
                grouping = "DataKey",
                groupKeyName = "patient",
                ratios = new Dictionary<string, double> { ["train"] = ratios[0], ["validation"] = ratios[1], ["test"] = ratios[2] },
            },
        };
        var first = await CutAsync(manager, project.Id, request);
        Assert.Equal(notes.Count, first.Items);
        var patientSplits = AssertNoPatientStraddles(await DownloadJsonlAsync(manager, project.Id, first.Number));

        // Stated rule: stratifying keeps each label's count in each split within ±1 of ratio × the label's items, and a
        // group placed whole can overshoot by up to its size; so the tolerance is the largest patient's note count.
        foreach (var label in first.Split.Labels)
        {
            Assert.NotNull(label.Label);
            for (var s = 0; s < SplitNames.All.Count; s++)
            {
                var count = label.Splits.Single(c => c.Split == SplitNames.All[s]).Items;
                Assert.InRange(count, (ratios[s] * label.Items) - LargestPatient, (ratios[s] * label.Items) + LargestPatient);
            }
        }
        Assert.Equal([72, 23, 25], first.Split.Labels.Select(l => l.Items));

        // Growth: new notes of known patients join their patient's split; a new patient is placed like any new unit.
        var newNotes = Enumerable.Range(0, 10).Select(p => new { text = $"follow-up of {PatientName(p)}", patient = PatientName(p) })
            .Append(new { text = "first note of a new patient", patient = PatientName(99) }).ToList();
        await ImportItemsAsync(manager, project.Id, newNotes);
        await AnswerAllAsync(project.Id, annotator);
        var second = await CutAsync(manager, project.Id, request);
        Assert.Equal((notes.Count + newNotes.Count, newNotes.Count, 0), (second.Items, second.Split.NewItems, second.Split.StraddlingGroups));
        var grown = AssertNoPatientStraddles(await DownloadJsonlAsync(manager, project.Id, second.Number));
        Assert.All(patientSplits, p => Assert.Equal(p.Value, grown[p.Key]));
        Assert.Contains(PatientName(99), grown.Keys);
    }

    /// <summary>Each patient's split, asserting all its notes are in it.</summary>
    private static Dictionary<string, string> AssertNoPatientStraddles(List<JsonElement> lines)
    {
        var byPatient = lines.GroupBy(l => l.GetProperty("data").GetProperty("patient").GetString()!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(l => l.GetProperty("split").GetString()!).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        Assert.All(byPatient, p => Assert.True(p.Value.Count == 1, $"{p.Key} is in {string.Join(", ", p.Value)}"));
        return byPatient.ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
    }

    private static string PatientName(int p) => $"P{p:D3}";

    /// <summary>The label a patient's notes get: three in five positive, one negative, one neutral.</summary>
    private static string LabelOf(string patient) => (int.Parse(patient.AsSpan(1, 3), System.Globalization.CultureInfo.InvariantCulture) % 5) switch
    {
        0 => "negative",
        1 => "neutral",
        _ => "positive",
    };

    /// <summary>A sentence of pseudo-random words only its own number gives: texts of different numbers share next to no 5-grams.</summary>
    private static string Sentence(int number)
    {
        var random = new Random(number * 7919);
        var words = new StringBuilder(FormattableString.Invariant($"Review {number}:"));
        for (var w = 0; w < 30; w++)
        {
            words.Append(' ');
            var length = random.Next(3, 9);
            for (var c = 0; c < length; c++)
            {
                words.Append((char)('a' + random.Next(26)));
            }
        }
        return words.ToString();
    }

    private static List<long> GroupMembers(Dictionary<long, string> items, int group) =>
        [.. items.Where(i => i.Value.StartsWith(Sentence(group), StringComparison.Ordinal)).Select(i => i.Key)];

    private static async Task<Dictionary<long, string>> ItemsAsync(LabelHubApp app, Guid projectId)
    {
        await using var db = app.CreateDbContext();
        return (await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId).Select(i => new { i.Id, i.Data }).ToListAsync())
            .ToDictionary(i => i.Id, i => i.Data["text"].GetString()!);
    }

    private static async Task<Dictionary<long, short>> SplitsAsync(LabelHubApp app, long releaseId)
    {
        await using var db = app.CreateDbContext();
        return await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == releaseId).ToDictionaryAsync(i => i.ItemId, i => i.Split);
    }

    private static async Task<CutReleaseResult> CutAsync(ApiClient manager, Guid projectId, object request)
    {
        using var response = await manager.PostRawAsync($"/api/v1/projects/{projectId}/releases", request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(manager, job.Id, timeoutSeconds: 120);
        Assert.True(done.State == JobState.Succeeded, $"{done.ResultSummary} {done.Error}");
        return ReleaseJobs.Cut.ReadResult(done)!;
    }

    /// <summary>The release's JSON lines download, streamed from the API.</summary>
    private static async Task<List<JsonElement>> DownloadJsonlAsync(ApiClient manager, Guid projectId, int number)
    {
        var bytes = await manager.Http.GetByteArrayAsync($"/api/v1/projects/{projectId}/releases/{number}/download?format=jsonl");
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var reader = new StreamReader(zip.GetEntry(JsonlReleaseFileName)!.Open());
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private const string JsonlReleaseFileName = LabelHub.Domain.Releases.Formats.JsonlReleaseWriter.FileName;

    private static async Task<DuplicateSearchResult> SearchAsync(ApiClient manager, string url)
    {
        using var response = await manager.PostRawAsync(url, new { kind = "Text", threshold = 0.8 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(manager, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        return CleansingJobs.Duplicates.ReadResult(done)!;
    }

    private static async Task AnswerAllAsync(Guid projectId, ApiClient annotator)
    {
        while (await annotator.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                new SubmitRequest(Values(("sentiment", LabelOf(task.Data["patient"].GetString()!)))));
        }
    }
}
