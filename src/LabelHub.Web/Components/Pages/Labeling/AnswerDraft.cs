using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// The answer being given or fixed, as typed values per field, with one undo history for all of it. Plain C#: the
/// answer editor renders it and the tests drive it without a browser. Fields answered in the panel (choice, multiple
/// choice, text, number, date, rating) keep their history here; span and box fields have editors that keep their own,
/// and the history here only records that it is their turn (<see cref="RecordEditorStep"/>), so one Ctrl+Z takes back
/// the newest change whatever the field.
/// </summary>
public sealed class AnswerDraft(LabelSchema schema)
{
    private readonly Dictionary<string, AnswerValue> values = [];
    private readonly List<UndoStep> undoSteps = [];

    // The text or number field being typed into: further typing there belongs to the same undo step.
    private string? typingField;

    public LabelSchema Schema { get; } = schema;

    /// <summary>The model suggestion the answer came from, while it was not changed back by an undo.</summary>
    public long? AcceptedPredictionId { get; private set; }

    public bool CanUndo => undoSteps.Count > 0;

    public AnswerValue? this[string field] => values.GetValueOrDefault(field);

    /// <summary>Starts over from a stored answer, a draft or nothing: what fits the schema is kept, the history is cleared.</summary>
    public void Reset(IReadOnlyDictionary<string, JsonElement>? answer)
    {
        values.Clear();
        foreach (var (name, value) in AnswerCodec.ReadAll(Schema, answer))
        {
            if (Fit(Schema.Field(name)!, value) is { } fitting)
            {
                values[name] = fitting;
            }
        }
        undoSteps.Clear();
        typingField = null;
        AcceptedPredictionId = null;
    }

    /// <summary>
    /// The annotator set a panel field (null clears it). One undo step when the value really changed; typing into a text
    /// or number field continues the step of the typing before it, so Ctrl+Z takes back the whole text, not one character.
    /// </summary>
    public void Set(LabelField field, AnswerValue? value)
    {
        var before = this[field.Name];
        Store(field.Name, value);
        if (Equals(before, this[field.Name]))
        {
            return;
        }
        var typed = field.Kind.IsTyped();
        if (!typed || typingField != field.Name || undoSteps.Count == 0)
        {
            Push(new UndoStep([new ValueUndo(field.Name, before)]));
        }
        typingField = typed ? field.Name : null;
    }

    /// <summary>Picks the label, or clears the field when it is already picked.</summary>
    public void ToggleChoice(LabelField field, string label) =>
        Set(field, this[field.Name] is ChoiceAnswer { Label: var current } && current == label ? null : new ChoiceAnswer(label));

    public bool IsPicked(LabelField field, string label) => this[field.Name] is MultiChoiceAnswer picked && picked.Labels.Contains(label);

    /// <summary>Ticks or unticks a label of a multiple-choice field; the labels stay in the schema's order.</summary>
    public void SetPicked(LabelField field, string label, bool on)
    {
        var picked = (this[field.Name] as MultiChoiceAnswer)?.Labels.ToHashSet() ?? [];
        if (on)
        {
            picked.Add(label);
        }
        else
        {
            picked.Remove(label);
        }
        Set(field, new MultiChoiceAnswer([.. field.Labels.Where(picked.Contains)]));
    }

    /// <summary>A span or box editor's current value. It keeps its own history, so this is no undo step.</summary>
    public void SetFromEditor(LabelField field, AnswerValue? value) => Store(field.Name, value);

    /// <summary>A span or box editor added a step to its own history: the next undo of that step is the editor's.</summary>
    public void RecordEditorStep(string field) => Push(new UndoStep([new EditorUndo(field)]));

    /// <summary>
    /// Takes back the newest step: panel fields get their earlier values here; the returned fields are the editors that
    /// must undo their own last change, in that order. Null when there is nothing to undo.
    /// </summary>
    public IReadOnlyList<string>? Undo()
    {
        typingField = null;
        if (undoSteps.Count == 0)
        {
            return null;
        }
        var step = undoSteps[^1];
        undoSteps.RemoveAt(undoSteps.Count - 1);
        var editors = new List<string>();
        // Newest first, so a field touched twice in one step ends up as it was before the step.
        for (var i = step.Changes.Count - 1; i >= 0; i--)
        {
            switch (step.Changes[i])
            {
                case ValueUndo value:
                    Store(value.Field, value.Before);
                    break;
                case EditorUndo editor:
                    editors.Add(editor.Field);
                    break;
            }
        }
        if (step.FromSuggestion)
        {
            AcceptedPredictionId = step.AcceptedBefore;
        }
        return editors;
    }

    /// <summary>
    /// An editor undid its own last change (its Undo button): that change leaves the history here too, so later steps
    /// keep pointing at the editor's.
    /// </summary>
    public void ForgetEditorStep(string field)
    {
        typingField = null;
        for (var i = undoSteps.Count - 1; i >= 0; i--)
        {
            var step = undoSteps[i];
            var index = step.Changes.FindLastIndex(change => change is EditorUndo editor && editor.Field == field);
            if (index < 0)
            {
                continue;
            }
            step.Changes.RemoveAt(index);
            if (step.Changes.Count == 0 && !step.FromSuggestion)
            {
                undoSteps.RemoveAt(i);
            }
            return;
        }
    }

    /// <summary>
    /// Takes a model's suggestion as one undo step: panel fields take its values (those it has none for are cleared, so the
    /// answer is the model's); the given editor fields had theirs replaced by their editors. Undo takes all of it back,
    /// including which suggestion the answer came from.
    /// </summary>
    public void ApplySuggestion(Suggestion suggestion, IEnumerable<string> replacedInEditors)
    {
        var changes = new List<FieldUndo>();
        var suggested = AnswerCodec.ReadAll(Schema, suggestion.Values);
        foreach (var field in Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.Panel))
        {
            var before = this[field.Name];
            Store(field.Name, suggested.TryGetValue(field.Name, out var value) ? Fit(field, value) : null);
            if (!Equals(before, this[field.Name]))
            {
                changes.Add(new ValueUndo(field.Name, before));
            }
        }
        changes.AddRange(replacedInEditors.Select(field => new EditorUndo(field)));
        Push(new UndoStep(changes, FromSuggestion: true, AcceptedBefore: AcceptedPredictionId));
        AcceptedPredictionId = suggestion.PredictionId;
    }

    /// <summary>The answer as the API takes it: only the fields that have a value.</summary>
    public Dictionary<string, JsonElement> ToValues() =>
        AnswerCodec.ToJson(Schema.Fields.Where(f => values.ContainsKey(f.Name)).Select(f => KeyValuePair.Create(f.Name, values[f.Name])));

    /// <summary>The answer as JSON text, to tell whether it changed since it was last saved.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToValues());

    /// <summary>
    /// Splits the server's validation errors into those of the answer's fields (keyed "values.field") and the rest, which
    /// come back as one message. <paramref name="ownKeys"/> are other inputs of the page that show their errors themselves.
    /// </summary>
    public (Dictionary<string, string[]> Fields, string? Other) SplitErrors(ValidationException error, params string[] ownKeys)
    {
        const string prefix = "values.";
        var fields = new Dictionary<string, string[]>();
        var other = new List<string>();
        foreach (var (key, messages) in error.Errors)
        {
            var name = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
            if (Schema.Field(name) is not null || ownKeys.Contains(name))
            {
                fields[name] = messages;
            }
            else
            {
                other.AddRange(messages);
            }
        }
        return (fields, other.Count > 0 ? string.Join(" ", other) : null);
    }

    private void Store(string field, AnswerValue? value)
    {
        if (value is null || IsBlank(value))
        {
            values.Remove(field);
        }
        else
        {
            values[field] = value;
        }
    }

    /// <summary>Values that say nothing are no answer: no labels picked, no spans or boxes, blank text, no stars.</summary>
    private static bool IsBlank(AnswerValue value) => value.Match(
        choice: c => string.IsNullOrEmpty(c.Label),
        multiChoice: m => m.Labels.Count == 0,
        spans: s => s.Spans.Count == 0,
        boxes: b => b.Boxes.Count == 0,
        text: t => string.IsNullOrWhiteSpace(t.Text),
        number: _ => false,
        date: _ => false,
        rating: r => r.Stars <= 0);

    /// <summary>
    /// What an editor can show of a stored value: labels the field no longer has are dropped, and boxes outside the image.
    /// Spans are checked against the text by their editor.
    /// </summary>
    private static AnswerValue? Fit(LabelField field, AnswerValue value) => value.Match<AnswerValue?>(
        choice: c => field.Labels.Contains(c.Label) ? c : null,
        multiChoice: m => new MultiChoiceAnswer([.. field.Labels.Where(m.Labels.Contains)]),
        spans: s => s,
        boxes: b => new BoxesAnswer([.. b.Boxes.Where(box => box.Fits(field))]),
        text: t => t,
        number: n => n,
        date: d => d,
        rating: r => r);

    private void Push(UndoStep step)
    {
        if (step.Changes.Count > 0 || step.FromSuggestion)
        {
            undoSteps.Add(step);
        }
        typingField = null;
    }

    /// <summary>One undoable change of the answer: how to put back each field it touched, in the order they changed.</summary>
    /// <param name="FromSuggestion">A suggestion was used: undoing it also restores which suggestion the answer came from.</param>
    private sealed record UndoStep(List<FieldUndo> Changes, bool FromSuggestion = false, long? AcceptedBefore = null);

    private abstract record FieldUndo(string Field);

    /// <summary>A panel field: its value before the change (null when it had none).</summary>
    private sealed record ValueUndo(string Field, AnswerValue? Before) : FieldUndo(Field);

    /// <summary>A span or box field: its editor keeps its own history, and undoes its last step when asked.</summary>
    private sealed record EditorUndo(string Field) : FieldUndo(Field);
}
