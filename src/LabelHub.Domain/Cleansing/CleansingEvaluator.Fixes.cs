using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

/// <summary>The rules that correct text values: normalisations, number and date formats.</summary>
public sealed partial class CompiledRuleSet
{
    private sealed class TextNormalization(CleansingRule rule, int index, LabelField field, int slot, Func<string, string> normalize, string reason)
        : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not TextAnswer { Text: var text })
            {
                return;
            }
            var normalized = normalize(text);
            if (!ReferenceEquals(normalized, text) && !string.Equals(normalized, text, StringComparison.Ordinal))
            {
                context.Fix(this, new TextAnswer(normalized), reason);
            }
        }
    }

    private sealed class NumberFormatFix(NumberFormatRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            var read = context.Get(Slot);
            if (Field.Kind == FieldKind.Number)
            {
                // A number field holds a JSON number; only a string (an import) needs reading.
                if (read.Clean is not null || context.StoredString(Slot) is not { } stored || string.IsNullOrWhiteSpace(stored))
                {
                    return;
                }
                if (TextForms.TryReadNumber(stored, rule.DecimalComma, out var number))
                {
                    context.Fix(this, new NumberAnswer(number), "The number is written as text.");
                }
                else
                {
                    context.Flag(this, $"'{stored}' does not read as a number.");
                }
                return;
            }
            if (read.Clean is not TextAnswer { Text: var text })
            {
                return;
            }
            if (!TextForms.TryReadNumber(text, rule.DecimalComma, out var value))
            {
                context.Flag(this, $"'{text}' does not read as a number.");
                return;
            }
            var plain = TextForms.FormatNumber(value);
            if (!string.Equals(plain, text, StringComparison.Ordinal))
            {
                context.Fix(this, new TextAnswer(plain), "The number is not written plainly.");
            }
        }
    }

    private sealed class DateFormatFix(DateFormatRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            var read = context.Get(Slot);
            string? source;
            if (Field.Kind == FieldKind.Date)
            {
                source = read.Clean is null ? context.StoredString(Slot) : null;
            }
            else
            {
                source = read.Clean is TextAnswer { Text: var text } && !AnswerCodec.TryParseDate(text, out _) ? text : null;
            }
            if (string.IsNullOrWhiteSpace(source))
            {
                return;
            }
            switch (TextForms.TryReadDate(source, rule.Order, out var date))
            {
                case TextForms.DateReading.Read:
                    context.Fix(this, Field.Kind == FieldKind.Date ? new DateAnswer(date) : new TextAnswer(AnswerCodec.FormatDate(date)),
                        $"The date is not written as {AnswerCodec.DateFormat}.");
                    break;
                case TextForms.DateReading.Ambiguous:
                    context.Flag(this, $"'{source}' could be day-month or month-day; set the rule's order.");
                    break;
                case TextForms.DateReading.NotADate:
                    context.Flag(this, $"'{source}' does not read as a date.");
                    break;
            }
        }
    }
}
