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
                Line("field", "metric", "annotator_a", "annotator_b", "value", "items", "undefined_reason");
                foreach (var field in data.Fields.Where(f => f.Pairs is not null))
                {
                    var pairs = field.Pairs!;
                    for (var i = 0; i < pairs.Annotators.Count; i++)
                    {
                        for (var j = i + 1; j < pairs.Annotators.Count; j++)
                        {
                            if (pairs.Values[i][j] is { } cell)
                            {
                                Line([field.Field, pairs.Metric, Name(names, pairs.Annotators[i]), Name(names, pairs.Annotators[j]), .. Cells(cell)]);
                            }
                        }
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

    private static string[] Cells(Agreement value) =>
        [Number(value.Value), value.Items.ToString(CultureInfo.InvariantCulture), value.UndefinedReason ?? ""];

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
