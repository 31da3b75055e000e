using System.Text;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class ReleaseDatasheetTests
{
    private static ReleaseDatasheetModel Model() => new()
    {
        ProjectName = "리뷰 감성 | reviews",
        Description = "Sentiment of product reviews, for a support-routing model.",
        Schema = TextFormatFixture.Schema,
        ReleaseNumber = 3,
        CutAt = new DateTimeOffset(2026, 12, 5, 9, 30, 0, TimeSpan.FromHours(9)),
        Filter = "items with a final answer; synthetic items only when reviewed",
        Aggregation = "majority vote (ties left for adjudication)",
        SplitSettings = "stratified by sentiment, 0.8 / 0.1 / 0.1, seed 42, near-duplicate groups kept together",
        ItemsPerSplit = [("train", 1200), ("validation", 150), ("test", 0)],
        LabelCounts =
        [
            new("sentiment", "positive", "train", 700), new("sentiment", "positive", "validation", 90),
            new("sentiment", "negative", "train", 495), new("sentiment", "negative", "validation", 58),
            new("sentiment", "neutral", "train", 5), new("sentiment", "neutral", "validation", 2),
        ],
        Ties = [("sentiment", 12), ("topics", 0)],
        QualitySource = "Agreement and gold accuracy are the quality report of 2026-12-05 00:10 UTC over 2,820 answers.",
        Agreement = [new("sentiment", "Krippendorff's alpha", 0.812), new("topics", "Krippendorff's alpha", 0.41), new("entities", "span F1", null)],
        GoldAccuracy = 0.9375,
        GoldItems = 64,
        Guidelines = [new(2, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)), new(3, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero))],
        Annotators = [new("kim", 1500, 12.25), new("lee", 1320, 10.5)],
        HoursMethod = "Hours add up the time the labeling page measured on each answer.",
        CleansingRuns = 2,
        Corrections = [new("label errors", 31), new("disagreements", 9)],
        SyntheticItems = 40,
    };

    [Fact]
    public void Datasheet_matches_its_snapshot()
    {
        var text = ReleaseDatasheet.Render(Model());
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "releases", "datasheet", "datasheet.md");
        if (Environment.GetEnvironmentVariable("LABELHUB_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "TestData", "releases", "datasheet", "datasheet.md"), text, new UTF8Encoding(false));
            return;
        }
        Assert.Equal(File.ReadAllText(path, Encoding.UTF8), text);
    }

    [Fact]
    public void Limitations_are_worked_out_from_the_numbers()
    {
        Assert.Equal(
            [
                "The test split is empty.",
                "Label neutral of sentiment has only 5 items in train.",
                "Label neutral of sentiment has only 2 items in validation.",
                "Agreement on topics is low (0.410): its labels are less reliable.",
                "Agreement on entities could not be measured.",
                "12 items have no final answer to sentiment: the vote tied and they await adjudication.",
                "40 items are synthetic, not collected.",
            ],
            ReleaseDatasheet.Limitations(Model()));
        var clean = Model() with
        {
            ItemsPerSplit = [("train", 10)],
            LabelCounts = [new("sentiment", "positive", "train", 10)],
            Ties = [],
            Agreement = [new("sentiment", "alpha", 0.9)],
            SyntheticItems = 0,
        };
        Assert.Empty(ReleaseDatasheet.Limitations(clean));
        Assert.Contains("No gold items: annotator accuracy was not measured.", ReleaseDatasheet.Limitations(clean with { GoldAccuracy = null }));
        Assert.Contains("None found in the numbers above.", ReleaseDatasheet.Render(clean), StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_are_put_in_words()
    {
        Assert.Equal("items with a final answer to every required field; reviewed only; every final answer at least 0.75 sure",
            ReleaseDatasheetGatherer.FilterInWords(new ReleaseFilter(ReviewedOnly: true, MinConfidence: 0.75)));
        Assert.Equal("every item, with or without final answers", ReleaseDatasheetGatherer.FilterInWords(new ReleaseFilter(RequireFinalAnswer: false)));
        Assert.Contains("Dawid–Skene", ReleaseDatasheetGatherer.AggregationInWords(AggregationMethod.DawidSkene), StringComparison.Ordinal);
        Assert.Contains("majority vote", ReleaseDatasheetGatherer.AggregationInWords(AggregationMethod.MajorityVote), StringComparison.Ordinal);
        Assert.Equal("train 0.8, validation 0.1, test 0.1; stratified by sentiment, items sharing patient kept together; seed \"42\"; items of the previous release keep their split",
            ReleaseDatasheetGatherer.SplitInWords(new SplitSettings
            {
                Seed = "42",
                Mode = SplitMode.Stratified,
                LabelField = "sentiment",
                Grouping = SplitGrouping.DataKey,
                GroupKeyName = "patient",
            }));
    }

    [Fact]
    public void The_text_does_not_depend_on_the_current_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            var german = ReleaseDatasheet.Render(Model());
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("ko-KR");
            Assert.Equal(german, ReleaseDatasheet.Render(Model()));
            Assert.Contains("| train | 1,200 |", german, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }
}
