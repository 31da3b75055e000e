using System.Globalization;
using System.Text;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// A run's before/after report as one CSV table (section, field, label, before, after, delta), so a team takes it into
/// its own reports: the summary figures, corrections by source, per-label counts and per-field agreement.
/// </summary>
public static class CleansingReportCsv
{
    public static readonly string[] Header = ["section", "field", "label", "before", "after", "delta"];

    public static string Write(CleansingRunReport report)
    {
        var lines = new StringBuilder();
        void Line(params string[] cells) => lines.Append(AnnotationExporter.CsvLine(cells)).Append("\r\n");
        Line(Header);
        Line("summary", "", "answers", Number(report.Answers.Before), Number(report.Answers.After), Number(report.Answers.Delta));
        Line("summary", "", "quality_score", Number(report.QualityScore.Before), Number(report.QualityScore.After), Number(report.QualityScore.Delta));
        Line("summary", "", "agreement", Number(report.Agreement.Before), Number(report.Agreement.After), Number(report.Agreement.Delta));
        Line("summary", "", "gold_accuracy", Number(report.GoldAccuracy.Before), Number(report.GoldAccuracy.After), Number(report.GoldAccuracy.Delta));
        Line("summary", "", "answers_corrected", "", Count(report.AnswersCorrected), "");
        // Corrections are made by the run's decisions: there is nothing "before" them.
        Line("corrections", "", "rule", "", Count(report.Corrections.Rule), "");
        Line("corrections", "", "reviewer", "", Count(report.Corrections.Reviewer), "");
        Line("corrections", "", "label_error_review", "", Count(report.Corrections.LabelErrorReview), "");
        Line("corrections", "", "duplicate_merge", "", Count(report.Corrections.DuplicateMerge), "");
        foreach (var label in report.Labels)
        {
            Line("labels", label.Field, label.Label, Count(label.Before), Count(label.After), Count(label.Delta));
        }
        foreach (var field in report.FieldAgreement)
        {
            Line("agreement", field.Field, field.Metric ?? "", Number(field.Before), Number(field.After), Number(field.Delta));
        }
        return lines.ToString();
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
