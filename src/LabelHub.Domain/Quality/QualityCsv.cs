using System.Globalization;
using System.Text;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Quality;

/// <summary>Every table of a quality report as CSV, one row per figure, so teams can take them into their own reports.</summary>
public static class QualityCsv
{
    public static readonly IReadOnlyList<string> Tables = ["fields", "labels", "pairs", "annotators"];

    /// <summary>The table as CSV, or null when there is no table of that name.</summary>
    public static string? Write(QualityReportData data, string table)
    {
        var names = data.Annotators.ToDictionary(a => a.AnnotatorId, a => a.Name);
        var lines = new StringBuilder();
        void Line(params string[] cells) => lines.Append(AnnotationExporter.CsvLine(cells)).Append("\r\n");
        switch (table)
        {
            case "fields":
                Line("field", "kind", "metric", "headline", "value", "items", "undefined_reason");
                foreach (var field in data.Fields)
                {
                    foreach (var metric in field.Metrics)
                    {
                        Line([field.Field, field.Kind, metric.Metric, metric.Metric == field.Headline ? "yes" : "no", .. Cells(metric.Value)]);
                    }
                }
                break;
            case "labels":
                Line("field", "label", "metric", "value", "items", "undefined_reason");
                foreach (var field in data.Fields)
                {
                    foreach (var label in field.Labels)
                    {
                        foreach (var metric in label.Metrics)
                        {
                            Line([field.Field, label.Label, metric.Metric, .. Cells(metric.Value)]);
                        }
                    }
                }
                break;
            case "pairs":
                // One row per annotator pair and field: the statistic named, both annotators by name and id, κ and observed agreement.
                Line("field", "statistic", "annotator_a", "annotator_a_id", "annotator_b", "annotator_b_id", "value", "items",
                    "cohens_kappa", "percent_agreement", "undefined_reason");
                foreach (var field in data.Fields)
                {
                    foreach (var pair in field.PairAgreements ?? FromMatrix(field.Pairs, names))
                    {
                        Line(field.Field, pair.Statistic, pair.AnnotatorAName, pair.AnnotatorA.ToString(), pair.AnnotatorBName, pair.AnnotatorB.ToString(),
                            Number(pair.Value), pair.Items.ToString(CultureInfo.InvariantCulture), Number(pair.CohensKappa), Number(pair.PercentAgreement),
                            pair.UndefinedReason ?? "");
                    }
                }
                break;
            case "annotators":
                Line("annotator", "annotator_id", "labels", "median_seconds", "agreement_with_others", "agreement_items", "gold_accuracy", "gold_answers");
                foreach (var a in data.Annotators)
                {
                    Line(a.Name, a.AnnotatorId.ToString(), a.Labels.ToString(CultureInfo.InvariantCulture), Number(a.MedianSeconds),
                        Number(a.AgreementWithOthers.Value), a.AgreementWithOthers.Items.ToString(CultureInfo.InvariantCulture),
                        Number(a.GoldAccuracy.Value), a.GoldAccuracy.Items.ToString(CultureInfo.InvariantCulture));
                }
                break;
            default:
                return null;
        }
        return lines.ToString();
    }

    private static string Name(Dictionary<Guid, string> names, Guid id) => names.GetValueOrDefault(id, id.ToString());

    /// <summary>The pairs of a report stored before each pair was listed: the heatmap's cells, without κ and observed agreement.</summary>
    private static IEnumerable<AnnotatorPairAgreement> FromMatrix(PairMatrix? pairs, Dictionary<Guid, string> names)
    {
        if (pairs is null)
        {
            yield break;
        }
        for (var i = 0; i < pairs.Annotators.Count; i++)
        {
            for (var j = i + 1; j < pairs.Annotators.Count; j++)
            {
                if (pairs.Values[i][j] is { } cell)
                {
                    var (a, b) = (pairs.Annotators[i], pairs.Annotators[j]);
                    yield return new AnnotatorPairAgreement(a, Name(names, a), b, Name(names, b), pairs.Metric, cell.Value, cell.Items, null, null, cell.UndefinedReason);
                }
            }
        }
    }

    private static string[] Cells(Agreement value) =>
        [Number(value.Value), value.Items.ToString(CultureInfo.InvariantCulture), value.UndefinedReason ?? ""];

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
