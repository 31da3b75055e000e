using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// One field's answer as a typed value, one record per <see cref="FieldKind"/>. Stored answers stay JSON keyed by field
/// name; <see cref="AnswerCodec"/> is the one way between that JSON and these values. Code that does something per kind
/// calls <see cref="Match{T}"/>, which names every kind: a new kind adds a parameter, and each caller stops compiling
/// until it says what it does with it.
/// </summary>
public abstract record AnswerValue
{
    // Only the kinds below exist: nothing outside this assembly can add one that Match would not know.
    private protected AnswerValue()
    {
    }

    public abstract FieldKind Kind { get; }

    public abstract T Match<T>(
        Func<ChoiceAnswer, T> choice,
        Func<MultiChoiceAnswer, T> multiChoice,
        Func<SpansAnswer, T> spans,
        Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text,
        Func<NumberAnswer, T> number,
        Func<DateAnswer, T> date,
        Func<RatingAnswer, T> rating);

    /// <summary>
    /// Whether an annotator giving <paramref name="other"/> gave this answer (gold matching): the same label, text,
    /// number, date or rating; the same set of labels, of spans (start, end, label) or of boxes (label and position to
    /// a millionth of the image), in any order.
    /// </summary>
    public abstract bool SameAs(AnswerValue other);
}

public sealed record ChoiceAnswer(string Label) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Choice;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => choice(this);

    public override bool SameAs(AnswerValue other) => other is ChoiceAnswer o && o.Label == Label;
}

/// <summary>The picked labels, in the order given (the editor writes the schema's order).</summary>
public sealed record MultiChoiceAnswer(IReadOnlyList<string> Labels) : AnswerValue
{
    public override FieldKind Kind => FieldKind.MultiChoice;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => multiChoice(this);

    public override bool SameAs(AnswerValue other) =>
        other is MultiChoiceAnswer o && o.Labels.Order(StringComparer.Ordinal).SequenceEqual(Labels.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    public bool Equals(MultiChoiceAnswer? other) => other is not null && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal);

    public override int GetHashCode() => Labels.Count;
}

public sealed record SpansAnswer(IReadOnlyList<SpanValue> Spans) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Spans;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => spans(this);

    public override bool SameAs(AnswerValue other) =>
        other is SpansAnswer o && InOrder(o.Spans).SequenceEqual(InOrder(Spans));

    public bool Equals(SpansAnswer? other) => other is not null && Spans.SequenceEqual(other.Spans);

    public override int GetHashCode() => Spans.Count;

    private static IEnumerable<(int, int, string)> InOrder(IEnumerable<SpanValue> spans) =>
        spans.Select(s => (s.Start, s.End, s.Label)).Order();
}

public sealed record BoxesAnswer(IReadOnlyList<BoxValue> Boxes) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Boxes;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => boxes(this);

    /// <summary>Pixels do not count: a box typed in fractions matches the same box drawn in the editor.</summary>
    public override bool SameAs(AnswerValue other) =>
        other is BoxesAnswer o && InOrder(o.Boxes).SequenceEqual(InOrder(Boxes));

    public bool Equals(BoxesAnswer? other) => other is not null && Boxes.SequenceEqual(other.Boxes);

    public override int GetHashCode() => Boxes.Count;

    private static IEnumerable<(string, long, long, long, long)> InOrder(IEnumerable<BoxValue> boxes) =>
        boxes.Select(b => b.MatchKey).Order();
}

public sealed record TextAnswer(string Text) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Text;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => text(this);

    public override bool SameAs(AnswerValue other) => other is TextAnswer o && o.Text == Text;
}

public sealed record NumberAnswer(double Value) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Number;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => number(this);

    public override bool SameAs(AnswerValue other) => other is NumberAnswer o && o.Value.Equals(Value);
}

public sealed record DateAnswer(DateOnly Date) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Date;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => date(this);

    public override bool SameAs(AnswerValue other) => other is DateAnswer o && o.Date == Date;
}

/// <summary>Stars from 1 to the field's <see cref="LabelField.RatingMax"/>.</summary>
public sealed record RatingAnswer(int Stars) : AnswerValue
{
    public override FieldKind Kind => FieldKind.Rating;

    public override T Match<T>(Func<ChoiceAnswer, T> choice, Func<MultiChoiceAnswer, T> multiChoice, Func<SpansAnswer, T> spans, Func<BoxesAnswer, T> boxes,
        Func<TextAnswer, T> text, Func<NumberAnswer, T> number, Func<DateAnswer, T> date, Func<RatingAnswer, T> rating) => rating(this);

    public override bool SameAs(AnswerValue other) => other is RatingAnswer o && o.Stars == Stars;
}
