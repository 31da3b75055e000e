using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>The language a datasheet is written in: every release stores and downloads both.</summary>
public enum DatasheetLanguage
{
    English = 0,
    Korean = 1,
}

/// <summary>
/// Every fixed heading, table header and sentence of a datasheet in one language. Values from users (names, labels,
/// fields) and numbers (already written invariantly) are passed in; the Korean sentences put placeholders where no
/// particle follows them, so they read right whatever the name ends with (docs/glossary.ko.md).
/// </summary>
internal sealed record DatasheetWords
{
    public required Func<string, string, string> Title { get; init; }
    public required Func<string, string> CutOn { get; init; }
    public required string Purpose { get; init; }
    public required string NoDescription { get; init; }
    public required string Schema { get; init; }
    public required string SchemaHeader { get; init; }
    public required Func<FieldKind, string> Kind { get; init; }
    public required string HowItWasMade { get; init; }
    public required string Filter { get; init; }
    public required string Aggregation { get; init; }
    public required string Splits { get; init; }
    public required string Items { get; init; }
    public required string ItemsHeader { get; init; }
    public required Func<string, string> Split { get; init; }
    public required string Total { get; init; }
    public required string Labels { get; init; }
    public required string LabelsHeader { get; init; }
    public required string Quality { get; init; }
    public required string AgreementHeader { get; init; }
    public required string Undefined { get; init; }
    public required string GoldAccuracy { get; init; }
    public required Func<string, string, string> GoldOver { get; init; }
    public required string NoGold { get; init; }
    public required string Ties { get; init; }
    public required string Guidelines { get; init; }
    public required string None { get; init; }
    public required string Annotators { get; init; }
    public required string NoAnswers { get; init; }
    public required string AnnotatorsHeader { get; init; }
    public required string Cleansing { get; init; }
    public required Func<int, string, string> Runs { get; init; }
    public required string NoCorrections { get; init; }
    public required Func<string, string> CorrectionsList { get; init; }
    public required string KnownLimitations { get; init; }
    public required string NoLimitations { get; init; }
    public required Func<string, string> EmptySplit { get; init; }
    public required Func<string, string, string, string, string> TinyClass { get; init; }
    public required Func<string, string, string> LowAgreement { get; init; }
    public required Func<string, string> UnmeasuredAgreement { get; init; }
    public required Func<string, string, string> Tied { get; init; }
    public required Func<string, string> Synthetic { get; init; }

    /// <summary>Which generators made the released synthetic items ("LabelHub GAN v2 (30), …") and how they were validated.</summary>
    public required Func<string, string> SyntheticMadeBy { get; init; }
    public required string NoGoldLimitation { get; init; }

    public static DatasheetWords For(DatasheetLanguage language) => language switch
    {
        DatasheetLanguage.English => English,
        DatasheetLanguage.Korean => Korean,
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
    };

    private static readonly DatasheetWords English = new()
    {
        Title = (project, number) => $"Datasheet: {project}, release {number}",
        CutOn = at => $"Cut on {at}.",
        Purpose = "Purpose",
        NoDescription = "No description was given.",
        Schema = "Schema",
        SchemaHeader = "| Field | Kind | Labels |",
        Kind = kind => kind.ToString(),
        HowItWasMade = "How it was made",
        Filter = "Filter",
        Aggregation = "Aggregation",
        Splits = "Splits",
        Items = "Items",
        ItemsHeader = "| Split | Items |",
        Split = split => split,
        Total = "total",
        Labels = "Labels",
        LabelsHeader = "| Field | Label |",
        Quality = "Quality",
        AgreementHeader = "| Field | Measure | Agreement |",
        Undefined = "undefined",
        GoldAccuracy = "Gold accuracy",
        GoldOver = (accuracy, items) => $"{accuracy} over {items} gold items",
        NoGold = "no gold items",
        Ties = "Tied fields left without a final answer",
        Guidelines = "Guideline versions in force",
        None = "none",
        Annotators = "Annotators",
        NoAnswers = "No answers.",
        AnnotatorsHeader = "| Annotator | Answers | Hours |",
        Cleansing = "Cleansing",
        Runs = (runs, written) => runs == 1 ? $"{written} run" : $"{written} runs",
        NoCorrections = ", no corrections.",
        CorrectionsList = list => $"; corrections: {list}.",
        KnownLimitations = "Known limitations",
        NoLimitations = "None found in the numbers above.",
        EmptySplit = split => $"The {split} split is empty.",
        TinyClass = (label, field, items, split) => $"Label {label} of {field} has only {items} items in {split}.",
        LowAgreement = (field, value) => $"Agreement on {field} is low ({value}): its labels are less reliable.",
        UnmeasuredAgreement = field => $"Agreement on {field} could not be measured.",
        Tied = (items, field) => $"{items} items have no final answer to {field}: the vote tied and they await adjudication.",
        Synthetic = items => $"{items} items are synthetic, not collected.",
        SyntheticMadeBy = generators => $"Made by {generators}; annotators confirmed that each shows the class it was generated for.",
        NoGoldLimitation = "No gold items: annotator accuracy was not measured.",
    };

    private static readonly DatasheetWords Korean = new()
    {
        Title = (project, number) => $"데이터시트: {project}, 릴리스 {number}",
        CutOn = at => $"만든 시각: {at}.",
        Purpose = "목적",
        NoDescription = "프로젝트 설명이 없습니다.",
        Schema = "스키마",
        SchemaHeader = "| 필드 | 종류 | 라벨 |",
        Kind = KoreanKind,
        HowItWasMade = "만든 방법",
        Filter = "필터",
        Aggregation = "집계",
        Splits = "분할",
        Items = "항목",
        ItemsHeader = "| 분할 | 항목 |",
        Split = KoreanSplit,
        Total = "합계",
        Labels = "라벨",
        LabelsHeader = "| 필드 | 라벨 |",
        Quality = "품질",
        AgreementHeader = "| 필드 | 지표 | 일치도 |",
        Undefined = "정의되지 않음",
        GoldAccuracy = "골드 정확도",
        GoldOver = (accuracy, items) => $"골드 항목 {items}개에서 {accuracy}",
        NoGold = "골드 항목 없음",
        Ties = "동률이라 최종 답변 없이 남은 필드",
        Guidelines = "적용된 가이드라인 버전",
        None = "없음",
        Annotators = "작업자",
        NoAnswers = "답변이 없습니다.",
        AnnotatorsHeader = "| 작업자 | 답변 | 시간 |",
        Cleansing = "정제",
        Runs = (_, written) => $"실행 {written}회",
        NoCorrections = ", 수정 없음.",
        CorrectionsList = list => $", 수정: {list}.",
        KnownLimitations = "알려진 한계",
        NoLimitations = "위 수치에서 찾은 한계가 없습니다.",
        EmptySplit = split => $"{split} 분할이 비어 있습니다.",
        TinyClass = (label, field, items, split) => $"{field} 필드의 라벨 {label}: {split} 분할에 항목이 {items}개뿐입니다.",
        LowAgreement = (field, value) => $"{field} 필드의 일치도가 낮습니다({value}). 이 필드의 라벨은 믿을 만한 정도가 떨어집니다.",
        UnmeasuredAgreement = field => $"{field} 필드의 일치도를 측정할 수 없었습니다.",
        Tied = (items, field) => $"항목 {items}개는 {field} 필드에 최종 답변이 없습니다. 투표가 동률이라 정제 검토를 기다립니다.",
        Synthetic = items => $"항목 {items}개는 수집하지 않고 생성한 합성 항목입니다.",
        SyntheticMadeBy = generators => $"생성기: {generators}. 작업자가 각 항목이 생성을 요청한 클래스를 보여 주는지 확인했습니다.",
        NoGoldLimitation = "골드 항목이 없어 작업자 정확도를 측정하지 않았습니다.",
    };

    // The names the schema editor shows for each kind.
    private static string KoreanKind(FieldKind kind) => kind switch
    {
        FieldKind.Choice => "단일 선택",
        FieldKind.MultiChoice => "다중 선택",
        FieldKind.Spans => "텍스트 구간",
        FieldKind.Boxes => "경계 상자",
        FieldKind.Text => "자유 텍스트",
        FieldKind.Number => "숫자",
        FieldKind.Date => "날짜",
        FieldKind.Rating => "평점",
    };

    // The split's Korean name with the name its files carry in every download (train, validation, test).
    private static string KoreanSplit(string split) => split switch
    {
        SplitNames.Train => "학습(train)",
        SplitNames.Validation => "검증(validation)",
        SplitNames.Test => "테스트(test)",
        _ => split,
    };
}
