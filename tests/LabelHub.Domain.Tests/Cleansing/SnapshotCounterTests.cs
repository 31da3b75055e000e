using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The counting half of a cleansing run's before/after snapshot (ADR 0019, 6).</summary>
public sealed class SnapshotCounterTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] },
            new LabelField { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 3 },
            new LabelField { Name = "note", Kind = FieldKind.Text },
        ],
    };

    [Fact]
    public void Counts_every_label_given_in_schema_order_with_zeros_and_the_share_without_open_findings()
    {
        var counter = new SnapshotCounter(Schema);
        counter.Add(Answer("""{"sentiment":"positive","topics":["price","service"],"ents":[{"start":0,"end":3,"label":"PER"},{"start":4,"end":9,"label":"PER"}],"stars":3,"note":"ok"}"""), flagged: false);
        counter.Add(Answer("""{"sentiment":"positive","topics":[],"note":""}"""), flagged: true);
        // A label the schema no longer has is still counted, after the schema's own.
        counter.Add(Answer("""{"sentiment":"mixed","ents":[{"start":0,"end":3,"label":"ORG"}]}"""), flagged: false);
        counter.Add(Answer("""{}"""), flagged: false);

        var snapshot = counter.Snapshot(DateTimeOffset.UnixEpoch, 10, new QualityReportData(), TimeSpan.Zero);

        Assert.Equal(4, snapshot.Answers);
        Assert.Equal(1, snapshot.AnswersWithOpenFindings);
        Assert.Equal(0.75, snapshot.QualityScore);
        Assert.Equal([("positive", 2), ("negative", 0), ("neutral", 0), ("mixed", 1)], Labels(snapshot, "sentiment"));
        Assert.Equal([("price", 1), ("service", 1)], Labels(snapshot, "topics"));
        Assert.Equal([("PER", 2), ("ORG", 1)], Labels(snapshot, "ents"));
        Assert.Equal([("1", 0), ("2", 0), ("3", 1)], Labels(snapshot, "stars"));
        Assert.Empty(Labels(snapshot, "note"));
        // An empty text or list is not an answer to the field.
        Assert.Equal([3, 1, 2, 1, 1], snapshot.Fields.Select(f => f.Answered));
        Assert.Null(snapshot.Agreement);
        Assert.Null(snapshot.GoldAccuracy);
    }

    [Fact]
    public void A_snapshot_survives_its_json_column()
    {
        var counter = new SnapshotCounter(Schema);
        counter.Add(Answer("""{"sentiment":"neutral"}"""), flagged: false);
        var snapshot = counter.Snapshot(DateTimeOffset.UnixEpoch, 1, new QualityReportData(), TimeSpan.FromSeconds(1.5));

        var read = CleansingSnapshot.FromJson(snapshot.ToJson())!;

        Assert.Equal(snapshot.Answers, read.Answers);
        Assert.Equal(snapshot.QualityScore, read.QualityScore);
        Assert.Equal(Labels(snapshot, "sentiment"), Labels(read, "sentiment"));
        Assert.Null(CleansingSnapshot.FromJson(null));
    }

    [Fact]
    public void Without_answers_there_is_no_quality_score()
    {
        var snapshot = new SnapshotCounter(Schema).Snapshot(DateTimeOffset.UnixEpoch, 0, new QualityReportData(), TimeSpan.Zero);
        Assert.Null(snapshot.QualityScore);
        Assert.Equal(0, snapshot.Answers);
    }

    private static Dictionary<string, JsonElement> Answer(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private static List<(string, int)> Labels(CleansingSnapshot snapshot, string field) =>
        [.. snapshot.Fields.Single(f => f.Field == field).Labels.Select(l => (l.Label, l.Count))];
}
