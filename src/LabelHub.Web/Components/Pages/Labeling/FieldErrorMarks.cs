using System.Text.Json;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// The fields a submitted answer was refused for, each with its answer at the time: as soon as a field's answer
/// changes (a required box field gets a box, a text is corrected), its error goes.
/// </summary>
public sealed class FieldErrorMarks
{
    private Dictionary<string, string> answersAtErrors = [];

    /// <summary>The errors still shown, by field name.</summary>
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public void Clear() => Errors = [];

    /// <summary>Shows <paramref name="errors"/> for the answer as it is now.</summary>
    public void Show(Dictionary<string, string[]> errors, Dictionary<string, JsonElement> answer)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Errors = errors;
        answersAtErrors = errors.Keys.ToDictionary(name => name, name => AnswerOf(answer, name));
    }

    /// <summary>Takes away the errors of fields whose answer changed; true when that took the last one away.</summary>
    public bool ForgetFixed(Func<Dictionary<string, JsonElement>> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (Errors.Count == 0)
        {
            return false;
        }
        var now = answer();
        var fixedFields = Errors.Keys.Where(name => AnswerOf(now, name) != answersAtErrors.GetValueOrDefault(name)).ToList();
        if (fixedFields.Count == 0)
        {
            return false;
        }
        Errors = Errors.Where(e => !fixedFields.Contains(e.Key)).ToDictionary();
        return Errors.Count == 0;
    }

    private static string AnswerOf(Dictionary<string, JsonElement> answer, string field) =>
        answer.TryGetValue(field, out var value) ? value.GetRawText() : "";
}
