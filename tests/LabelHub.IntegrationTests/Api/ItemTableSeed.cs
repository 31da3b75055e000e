using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>What the test expects of one seeded item, computed in C# beside the rows it wrote.</summary>
internal sealed record ExpectedItem(
    long Id, ItemStatus Status, int SubmittedCount, double Priority, bool IsGold, long? SourceId, string? SourceName, double? Agreement,
    double? PredictionScore, bool HasPrediction, bool Flagged, int? Split, string? Text, DateTimeOffset CreatedAt,
    IReadOnlyList<string> CurrentLabels, IReadOnlyList<Guid> Annotators);

/// <summary>
/// A project of 60 items written straight into the database with ties and nulls in every sortable column: statuses from
/// none to completed (one with a live lease), agreeing and disagreeing answers with an older version that is no longer
/// current, predictions (the newer one counts), three sources and unsourced items, a release with splits, open and
/// dismissed findings, Korean text and text with % and _ in it.
/// </summary>
internal sealed class ItemTableSeed
{
    public required LabelHubApp App { get; init; }
    public required Guid ProjectId { get; init; }
    public required Actor Manager { get; init; }
    public required ApiClient ManagerClient { get; init; }
    public required Guid AnnotatorA { get; init; }
    public required Guid AnnotatorB { get; init; }
    public required IReadOnlyList<long> SourceIds { get; init; }
    public required IReadOnlyList<ExpectedItem> Items { get; init; }

    public const int Count = 60;

    public static string TextOf(int n) => (n % 6) switch
    {
        0 => $"고양이 사진 {n}",
        1 => $"Hello World {n}",
        2 => $"50% off sale {n}",
        3 => $"500 off sale {n}",
        4 => $"snake_case name {n}",
        _ => $"snakeXcase name {n}",
    };

    public static async Task<ItemTableSeed> CreateAsync(LabelHubApp app)
    {
        var managerClient = await app.CreateUserClientAsync("table-boss", Roles.Manager);
        var a = await app.CreateUserClientAsync("table-ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("table-ann-b", Roles.Annotator);
        var project = await CreateProjectAsync(managerClient, "Data manager", overlap: 2);
        var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        await using var db = app.CreateDbContext();
        // Names out of id order ("zeta" first), so sorting by source name differs from sorting by source id.
        var sources = new[] { "zeta", "alpha", "Alpha" }.Select(name => new ItemSource { ProjectId = project.Id, Name = name, Kind = SourceKind.Upload, Licence = "CC-BY" }).ToList();
        db.ItemSources.AddRange(sources);
        var release = new Release { ProjectId = project.Id, Number = 1, State = ReleaseState.Cutting, CreatedById = managerClient.UserId, CreatedAt = now };
        db.Releases.Add(release);
        var run = new CleansingRun { ProjectId = project.Id, Kind = CleansingRunKind.Rules, StartedById = managerClient.UserId, StartedAt = now };
        db.CleansingRuns.Add(run);
        await db.SaveChangesAsync();

        var items = new List<Item>();
        for (var n = 0; n < Count; n++)
        {
            Dictionary<string, JsonElement> data = n % 11 == 10
                ? new() { ["image"] = JsonSerializer.SerializeToElement($"img-{n}.png") }
                : new() { ["text"] = JsonSerializer.SerializeToElement(TextOf(n)) };
            var answers = (n % 5) switch { 0 => 0, 1 or 4 => 1, _ => 2 };
            items.Add(new Item
            {
                ProjectId = project.Id,
                Data = data,
                SearchText = ItemSearchText.Of(data) is { } text && data.ContainsKey("text") ? text : null,
                ContentHash = $"{n:D64}",
                Priority = n % 4,
                IsGold = n % 10 == 0,
                SourceId = n % 4 == 3 ? null : sources[n % 4].Id,
                SubmittedCount = answers,
                TakenSlots = answers + (n % 5 == 4 ? 1 : 0),
                CreatedAt = now.AddMinutes(n % 7),
            });
        }
        db.Items.AddRange(items);
        await db.SaveChangesAsync();

        var expected = new List<ExpectedItem>();
        for (var n = 0; n < Count; n++)
        {
            var item = items[n];
            var labels = new List<string>();
            var annotators = new List<Guid>();
            void Answer(Guid who, string label, int version = 1, bool current = true)
            {
                db.Annotations.Add(new Annotation
                {
                    ProjectId = project.Id,
                    ItemId = item.Id,
                    AnnotatorId = who,
                    AuthorId = who,
                    Version = version,
                    IsCurrent = current,
                    Values = Values(("sentiment", label)),
                    CreatedAt = now,
                });
                if (current)
                {
                    labels.Add(label);
                    annotators.Add(who);
                }
            }
            switch (n % 5)
            {
                case 1:
                    Answer(a.UserId, "positive");
                    break;
                case 2:
                    Answer(a.UserId, "negative");
                    Answer(b.UserId, "negative");
                    break;
                case 3:
                    // An older version that no longer counts: "neutral" is not a current label of this item.
                    Answer(a.UserId, "neutral", version: 1, current: false);
                    Answer(a.UserId, "positive", version: 2);
                    Answer(b.UserId, "negative");
                    break;
                case 4:
                    Answer(b.UserId, "positive");
                    db.Assignments.Add(new Assignment { ProjectId = project.Id, ItemId = item.Id, UserId = a.UserId, State = AssignmentState.Leased, LeasedAt = now, LeaseExpiresAt = now.AddYears(10) });
                    break;
            }
            double? score = null;
            if (n % 3 == 0)
            {
                score = n % 10 / 10.0;
                db.Predictions.Add(new Prediction { ProjectId = project.Id, ItemId = item.Id, ModelVersion = "m1", Score = 0.95, CreatedAt = now });
                db.Predictions.Add(new Prediction { ProjectId = project.Id, ItemId = item.Id, ModelVersion = "m2", Score = score, CreatedAt = now.AddHours(1) });
            }
            int? split = null;
            if (n % 2 == 0)
            {
                split = n % 3;
                db.ReleaseItems.Add(new ReleaseItem { ReleaseId = release.Id, ItemId = item.Id, Split = (short)split.Value, ContentHash = item.ContentHash });
            }
            if (n % 6 is 0 or 1)
            {
                db.CleansingFindings.Add(new CleansingFinding
                {
                    ProjectId = project.Id,
                    RunId = run.Id,
                    ItemId = item.Id,
                    Source = FindingSource.Rule,
                    Code = "r",
                    Reason = "r",
                    State = n % 6 == 0 ? FindingState.Open : FindingState.Dismissed,
                    CreatedAt = now,
                });
            }
            var status = item.TakenSlots == 0 ? ItemStatus.Unlabeled : n % 5 is 2 or 3 ? ItemStatus.Completed : ItemStatus.InProgress;
            var agreement = (n % 5) switch { 2 => 1.0, 3 => 0.0, _ => (double?)null };
            expected.Add(new ExpectedItem(item.Id, status, item.SubmittedCount, item.Priority, item.IsGold, item.SourceId,
                sources.FirstOrDefault(s => s.Id == item.SourceId)?.Name, agreement, score, score is not null, n % 6 == 0, split,
                item.SearchText, item.CreatedAt, labels, annotators));
        }
        // Saving the answers and predictions brings each item's agreement and newest score up to date (the context does it).
        await db.SaveChangesAsync();
        return new ItemTableSeed
        {
            App = app,
            ProjectId = project.Id,
            Manager = new Actor(managerClient.UserId, new HashSet<string> { Roles.Manager }),
            ManagerClient = managerClient,
            AnnotatorA = a.UserId,
            AnnotatorB = b.UserId,
            SourceIds = [.. sources.Select(s => s.Id)],
            Items = expected,
        };
    }
}
