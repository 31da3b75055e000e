using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>
/// The answer an item ends with, per field, as exports show it: the gold answer on a gold item; else the value more
/// than half of the answers to that field agree on (exactly the same value; one answer agrees with itself); else none,
/// so disagreements stay visible instead of being settled by a coin. Spans and boxes agree only when identical here.
/// </summary>
public static class FinalAnswers
{
    public static Dictionary<string, JsonElement> Of(
        LabelSchema schema, IEnumerable<IReadOnlyDictionary<string, JsonElement>> answers, IReadOnlyDictionary<string, JsonElement>? goldAnswer)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var given = answers.ToList();
        var final = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in schema.Fields)
        {
            if (goldAnswer is not null && goldAnswer.TryGetValue(field.Name, out var gold) && HasValue(gold))
            {
                final[field.Name] = gold;
                continue;
            }
            var values = given.Select(a => a.TryGetValue(field.Name, out var v) ? v : default).Where(HasValue).ToList();
            if (values.Count == 0)
            {
                continue;
            }
            var top = values.GroupBy(v => Canonical(field, v), StringComparer.Ordinal).MaxBy(g => g.Count())!;
            if (top.Count() * 2 > values.Count)
            {
                final[field.Name] = top.First();
            }
        }
        return final;
    }

    private static bool HasValue(JsonElement value) => value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    /// <summary>One spelling per answer: multiple choices in any order, or the same number written two ways, are the same answer.</summary>
    private static string Canonical(LabelField field, JsonElement value) => AnswerCodec.Read(field, value) switch
    {
        { Clean: MultiChoiceAnswer picked } => string.Join('\u001f', picked.Labels.Order(StringComparer.Ordinal)),
        { Clean: { } answer } => AnswerCodec.ToJson(answer).GetRawText(),
        _ => value.GetRawText(),
    };
}
