namespace LabelHub.Domain.Quality;

/// <summary>
/// One computation of a project's quality figures. Reports are kept, never updated, so figures can be charted
/// over time; the newest is what the dashboard shows.
/// </summary>
public class QualityReport
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public DateTimeOffset ComputedAt { get; set; }

    /// <summary>The highest annotation id the report saw: answers after it are "new" for the recompute trigger.</summary>
    public long UpToAnnotationId { get; set; }

    /// <summary>Current annotations the report rests on.</summary>
    public int Annotations { get; set; }

    /// <summary>The job that computed it.</summary>
    public Guid? JobRunId { get; set; }

    public QualityReportData Data { get; set; } = new();
}

/// <summary>Everything the quality dashboard and the API show, per field, per label, per annotator pair and per annotator.</summary>
public sealed record QualityReportData
{
    public List<FieldQuality> Fields { get; init; } = [];
    public List<AnnotatorQuality> Annotators { get; init; } = [];
    public QualityKpis Kpis { get; init; } = new();

    /// <summary>Per single-choice field and annotator: accuracy on the gold items with the gold × answered confusion matrix.</summary>
    public List<GoldFieldAccuracy> GoldByField { get; init; } = [];

    /// <summary>Majority vote and Dawid–Skene over each single-choice field: how decided the items are.</summary>
    public List<AggregationQuality> Aggregations { get; init; } = [];

    /// <summary>How long the computation took, for the record.</summary>
    public double ComputeSeconds { get; init; }
}

/// <summary>Every statistic of one field (docs/api/quality-metrics.md lists which kind gets which).</summary>
/// <param name="Field">The schema field's name.</param>
/// <param name="Kind">The field's kind: Choice, MultiChoice, Text, Date, Rating, Number, Spans or Boxes.</param>
/// <param name="Headline">The statistic the KPI card and the trend use for this field (α for categories, F1 for spans and boxes).</param>
/// <param name="Metrics">Every statistic the kind gets, the headline among them.</param>
/// <param name="Labels">One-vs-rest figures per schema label (choice, multiple choice, spans, boxes; empty for the other kinds).</param>
/// <param name="Pairs">The annotator × annotator table of the pairwise statistic (Cohen's κ, or the headline F1 for spans and boxes).</param>
/// <param name="PairAgreements">Each pair of annotators that answered an item of the field in common, with its statistic
/// named; null in reports stored before it was added.</param>
public sealed record FieldQuality(
    string Field, string Kind, string Headline, List<MetricValue> Metrics, List<LabelQuality> Labels, PairMatrix? Pairs,
    List<AnnotatorPairAgreement>? PairAgreements = null);

/// <param name="Metric">A stable key, e.g. "krippendorff_alpha_nominal", "cohen_kappa_mean", "span_f1_strict" (all of them: docs/api/quality-metrics.md).</param>
public sealed record MetricValue(string Metric, Agreement Value);

/// <summary>One-vs-rest figures for one label of a field.</summary>
public sealed record LabelQuality(string Label, List<MetricValue> Metrics);

/// <summary>A symmetric annotator × annotator table of one statistic; cell [i][j] rests on the items both answered.</summary>
/// <param name="Metric">The statistic of each cell: see <see cref="AnnotatorPairAgreement.Statistic"/> (reports stored
/// before it was named per pair say "cohen_kappa_mean" or "cohen_kappa_quadratic_mean" for the pairwise κ).</param>
/// <param name="Annotators">Row and column i are this annotator (in the order first met in the answers).</param>
/// <param name="Values">The cells; null where a span or box pair never answered the same item, and on their diagonal.</param>
public sealed record PairMatrix(string Metric, List<Guid> Annotators, List<List<Agreement?>> Values);

/// <summary>Two annotators' agreement on one field, over the items both answered it (gold items left out).</summary>
/// <param name="Statistic">What <paramref name="Value"/> is: "cohen_kappa" (Cohen's κ), "cohen_kappa_quadratic" (quadratic-weighted
/// κ, for numbers and ratings), "span_f1_strict" or "box_f1_iou50" (matched F1, for spans and boxes).</param>
/// <param name="Value">The statistic; null when undefined (see <paramref name="UndefinedReason"/>).</param>
/// <param name="Items">How many items both answered (n).</param>
/// <param name="CohensKappa">Cohen's κ of the pair, weighted as <paramref name="Statistic"/> says; null for spans and boxes.</param>
/// <param name="PercentAgreement">Observed agreement: the share of those items both answered alike; null for spans and boxes.</param>
public sealed record AnnotatorPairAgreement(
    Guid AnnotatorA, string AnnotatorAName, Guid AnnotatorB, string AnnotatorBName, string Statistic, double? Value, int Items,
    double? CohensKappa, double? PercentAgreement, string? UndefinedReason)
{
    public const string CohensKappaStatistic = "cohen_kappa";
    public const string QuadraticKappaStatistic = "cohen_kappa_quadratic";
}

/// <summary>One annotator's row of the report.</summary>
/// <param name="Labels">Current answers.</param>
/// <param name="MedianSeconds">Median time per answer; null without timings.</param>
/// <param name="AgreementWithOthers">Mean of the annotator's cells with others in every field's pair table.</param>
/// <param name="GoldAccuracy">Share of gold checks (one per field of a gold answer) the annotator's first answers passed.</param>
public sealed record AnnotatorQuality(
    Guid AnnotatorId, string Name, int Labels, double? MedianSeconds, Agreement AgreementWithOthers, Agreement GoldAccuracy);

/// <param name="Agreement">The lowest of the fields' headline statistics (the weakest field), so no field is averaged away.</param>
/// <param name="Progress">Share of the items that have all their answers.</param>
/// <param name="LabelsPerHour">Submitted answers per hour over the last 24 hours.</param>
public sealed record QualityKpis(
    Agreement? Agreement = null, Agreement? GoldAccuracy = null, double Progress = 0, double? LabelsPerHour = null, double? MedianSecondsPerTask = null);

/// <param name="Method">"majority_vote" (ties go to the label listed first in the schema and are flagged) or "dawid_skene".</param>
/// <param name="Ties">Items whose vote was tied: they need adjudication.</param>
/// <param name="MeanConfidence">Mean share of the winning label (majority vote) or its posterior (Dawid–Skene).</param>
/// <param name="DisagreesWithMajority">Dawid–Skene only: items where it chose another label than the majority vote.</param>
/// <param name="Annotators">Dawid–Skene only: each annotator's estimated accuracy (mean diagonal of their confusion matrix).</param>
public sealed record AggregationQuality(
    string Field, string Method, int Items, int Ties, double MeanConfidence, int? DisagreesWithMajority, int? Iterations, bool? Converged,
    List<AnnotatorEstimate> Annotators);

public sealed record AnnotatorEstimate(Guid AnnotatorId, double EstimatedAccuracy);

/// <param name="Confusion">Rows: the gold label; columns: the label answered; both in <paramref name="Categories"/> order.</param>
public sealed record GoldFieldAccuracy(string Field, Guid AnnotatorId, Agreement Accuracy, List<string> Categories, List<List<int>> Confusion);
