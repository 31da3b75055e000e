using System.Globalization;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// Turns confident learning's issues into findings for the adjudication queue: one per answer that gave the suspect
/// label (with several annotators, every answer of the majority; the reason says so), the model's label as the
/// suggestion, and a score that is higher for the surer errors.
/// </summary>
public static class LabelErrorFindings
{
    public const string Code = "label-error";

    /// <param name="given">The items in the order the probabilities were computed.</param>
    /// <param name="probabilities">n × labels out-of-sample probabilities, row i for <paramref name="given"/>[i].</param>
    public static IReadOnlyList<CleansingFinding> Build(LabelField field, IReadOnlyList<GivenLabel> given, ReadOnlySpan<float> probabilities, ConfidentLearningResult result)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(result);
        var labels = field.Labels;
        var findings = new List<CleansingFinding>();
        foreach (var issue in result.Issues)
        {
            var item = given[issue.Index];
            var suggested = labels[issue.SuggestedLabel];
            var modelP = probabilities[(issue.Index * labels.Count) + issue.SuggestedLabel];
            var reason = Reason(labels[issue.GivenLabel], suggested, modelP, issue.SelfConfidence, item);
            var score = result.Ranking == LabelIssueRanking.SelfConfidence
                ? 1 - issue.SelfConfidence
                : (1 - issue.NormalizedMargin) / 2;
            foreach (var annotationId in item.AnnotationIds)
            {
                findings.Add(new CleansingFinding
                {
                    ItemId = item.ItemId,
                    AnnotationId = annotationId,
                    Field = field.Name,
                    Source = FindingSource.LabelError,
                    Code = Code,
                    Reason = reason,
                    Suggestion = AnswerCodec.ToJson(new ChoiceAnswer(suggested)),
                    Score = Math.Clamp(score, 0, 1),
                });
            }
        }
        return findings;
    }

    private static string Reason(string given, string suggested, double modelP, double selfConfidence, GivenLabel item)
    {
        var p = modelP.ToString("F2", CultureInfo.InvariantCulture);
        var self = selfConfidence.ToString("F2", CultureInfo.InvariantCulture);
        return item.Answers > 1
            ? $"Labeled {given} by {item.AnnotationIds.Count} of {item.Answers} annotators (the majority); the model says {suggested} (p = {p}, self-confidence {self})."
            : $"Labeled {given}; the model says {suggested} (p = {p}, self-confidence {self}).";
    }
}
