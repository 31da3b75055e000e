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

    /// <summary>The same release with the sentences the gatherer writes for the Korean datasheet.</summary>
    private static ReleaseDatasheetModel KoreanModel() => Model() with
    {
        Filter = "모든 필수 필드에 최종 답변이 있는 항목",
        Aggregation = "골드 답변, 없으면 정제 검토에서 정한 답변, 없으면 다수결 (동률은 정제 검토로 넘김)",
        SplitSettings = "학습 0.8, 검증 0.1, 테스트 0.1; sentiment 라벨로 층화, 유사 중복 그룹은 한 분할에; 시드 \"42\"; 이전 릴리스의 항목은 분할이 바뀌지 않음",
        QualitySource = "일치도와 골드 정확도는 2026-12-05 00:10 UTC에 답변 2,820개로 계산한 품질 보고서의 값이며, 품질 대시보드에 보이는 값과 같습니다.",
        HoursMethod = "시간은 릴리스 항목의 현재 답변마다 라벨링 페이지가 잰 시간을 더한 값입니다.",
        Corrections = [new("라벨 오류", 31), new("불일치", 9)],
    };

    [Theory]
    [InlineData(DatasheetLanguage.English, "datasheet.md")]
    [InlineData(DatasheetLanguage.Korean, "datasheet.ko.md")]
    public void Datasheet_matches_its_snapshot(DatasheetLanguage language, string file)
    {
        var text = ReleaseDatasheet.Render(language == DatasheetLanguage.Korean ? KoreanModel() : Model(), language);
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "releases", "datasheet", file);
        if (Environment.GetEnvironmentVariable("LABELHUB_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "TestData", "releases", "datasheet", file), text, new UTF8Encoding(false));
            return;
        }
        Assert.Equal(File.ReadAllText(path, Encoding.UTF8), text);
    }

    [Fact]
    public void The_English_datasheet_is_the_default()
    {
        Assert.Equal(ReleaseDatasheet.Render(Model(), DatasheetLanguage.English), ReleaseDatasheet.Render(Model()));
    }

    [Fact]
    public void The_Korean_datasheet_has_no_English_heading_header_or_sentence_of_its_own()
    {
        var korean = ReleaseDatasheet.Render(KoreanModel(), DatasheetLanguage.Korean);
        var english = ReleaseDatasheet.Render(Model(), DatasheetLanguage.English);
        // Every line of the English datasheet that holds only fixed words (no user's value, no number) must be gone.
        foreach (var fixedText in new[]
        {
            "# Datasheet", "Cut on", "## Purpose", "## Schema", "| Field | Kind | Labels |", "## How it was made", "- Filter:", "- Aggregation:", "- Splits:",
            "## Items", "| Split | Items |", "## Labels", "## Quality", "| Field | Measure | Agreement |", "undefined", "- Gold accuracy:", "gold items",
            "- Tied fields", "- Guideline versions", "## Annotators", "| Annotator | Answers | Hours |", "| total |", "## Cleansing", " runs", "corrections:",
            "## Known limitations", "split is empty", "has only", "is low", "could not be measured", "await adjudication", "synthetic",
        })
        {
            Assert.Contains(fixedText, english, StringComparison.Ordinal);
            Assert.DoesNotContain(fixedText, korean, StringComparison.Ordinal);
        }
        Assert.Contains("| 학습(train) | 1,200 |", korean, StringComparison.Ordinal);
        Assert.Contains("| sentiment | 단일 선택 | positive, negative, neutral |", korean, StringComparison.Ordinal);
        Assert.Contains("- 테스트(test) 분할이 비어 있습니다.", korean, StringComparison.Ordinal);
        Assert.Equal(ReleaseDatasheet.Limitations(Model()).Count, ReleaseDatasheet.Limitations(Model(), DatasheetLanguage.Korean).Count);
        var clean = KoreanModel() with { ItemsPerSplit = [("train", 10)], LabelCounts = [], Ties = [], Agreement = [], SyntheticItems = 0, Annotators = [], Corrections = [], CleansingRuns = 1 };
        var cleanSheet = ReleaseDatasheet.Render(clean, DatasheetLanguage.Korean);
        Assert.Contains("위 수치에서 찾은 한계가 없습니다.", cleanSheet, StringComparison.Ordinal);
        Assert.Contains("답변이 없습니다.", cleanSheet, StringComparison.Ordinal);
        Assert.Contains("실행 1회, 수정 없음.", cleanSheet, StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_are_put_in_Korean_words()
    {
        Assert.Equal("모든 필수 필드에 최종 답변이 있는 항목; 검수된 항목만; 모든 최종 답변의 신뢰도 0.75 이상",
            ReleaseDatasheetGatherer.FilterInWords(new ReleaseFilter(ReviewedOnly: true, MinConfidence: 0.75), DatasheetLanguage.Korean));
        Assert.Equal("최종 답변이 있든 없든 모든 항목", ReleaseDatasheetGatherer.FilterInWords(new ReleaseFilter(RequireFinalAnswer: false), DatasheetLanguage.Korean));
        Assert.Contains("다수결", ReleaseDatasheetGatherer.AggregationInWords(AggregationMethod.MajorityVote, DatasheetLanguage.Korean), StringComparison.Ordinal);
        Assert.Contains("Dawid–Skene (사후", ReleaseDatasheetGatherer.AggregationInWords(AggregationMethod.DawidSkene, DatasheetLanguage.Korean), StringComparison.Ordinal);
        Assert.Equal("학습 0.8, 검증 0.1, 테스트 0.1; sentiment 라벨로 층화, patient 값이 같은 항목은 한 분할에; 시드 \"42\"; 이전 릴리스의 항목은 분할이 바뀌지 않음",
            ReleaseDatasheetGatherer.SplitInWords(new SplitSettings
            {
                Seed = "42",
                Mode = SplitMode.Stratified,
                LabelField = "sentiment",
                Grouping = SplitGrouping.DataKey,
                GroupKeyName = "patient",
            }, DatasheetLanguage.Korean));
        Assert.Equal("학습 0.8, 검증 0.1, 테스트 0.1; 무작위, 유사 중복 그룹은 한 분할에; 시드 \"s\"; 이전 릴리스의 항목은 분할이 바뀌지 않음",
            ReleaseDatasheetGatherer.SplitInWords(new SplitSettings { Seed = "s", Grouping = SplitGrouping.DuplicateGroups }, DatasheetLanguage.Korean));
        Assert.Equal("이 릴리스 전에 계산한 품질 보고서가 없어 일치도를 측정하지 않았습니다.", ReleaseDatasheetGatherer.QualitySource(null, null, DatasheetLanguage.Korean));
        Assert.Equal("일치도와 골드 정확도는 2026-12-05 00:10 UTC에 답변 2,820개로 계산한 품질 보고서의 값이며, 품질 대시보드에 보이는 값과 같습니다.",
            ReleaseDatasheetGatherer.QualitySource(new DateTimeOffset(2026, 12, 5, 9, 10, 0, TimeSpan.FromHours(9)), 2820, DatasheetLanguage.Korean));
        Assert.Equal("Agreement and gold accuracy are the quality report of 2026-12-05 00:10 UTC over 2,820 answers, as the quality dashboard shows it.",
            ReleaseDatasheetGatherer.QualitySource(new DateTimeOffset(2026, 12, 5, 0, 10, 0, TimeSpan.Zero), 2820));
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
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            var koreanInGerman = ReleaseDatasheet.Render(KoreanModel(), DatasheetLanguage.Korean);
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("en-US");
            Assert.Equal(koreanInGerman, ReleaseDatasheet.Render(KoreanModel(), DatasheetLanguage.Korean));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }
}
