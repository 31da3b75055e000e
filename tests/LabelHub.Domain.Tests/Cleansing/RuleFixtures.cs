using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>A schema with every field kind, and answers written as JSON the way they are stored.</summary>
internal static class RuleFixtures
{
    public static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "name", Kind = FieldKind.Text },
            new LabelField { Name = "short", Kind = FieldKind.Text, MaxLength = 12, Required = true },
            new LabelField { Name = "amount", Kind = FieldKind.Number },
            new LabelField { Name = "date", Kind = FieldKind.Date },
            new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = ["person", "place", "other"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"] },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC", "ORG"], AllowOverlap = true },
            new LabelField { Name = "exclusive", Kind = FieldKind.Spans, Labels = ["PER", "LOC"] },
            new LabelField { Name = "boxes", Kind = FieldKind.Boxes, Labels = ["car", "person"] },
            new LabelField { Name = "rating", Kind = FieldKind.Rating, Max = 5 },
        ],
    };

    public static Dictionary<string, JsonElement> Json(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    public static CompiledRuleSet Compile(params CleansingRule[] rules) => CompiledRuleSet.Compile(Schema, new CleansingRuleSet { Rules = rules });

    public static AnswerEvaluation Evaluate(CleansingRule rule, string values, string? itemData = null) =>
        Compile(rule).Evaluate(Json(values), itemData is null ? null : Json(itemData));

    public static RuleOutcome Single(AnswerEvaluation evaluation) => Assert.Single(evaluation.Outcomes);

    public static string? After(RuleOutcome outcome) => outcome.After?.GetRawText();
}
