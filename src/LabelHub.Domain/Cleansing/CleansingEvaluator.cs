using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

public enum RuleOutcomeKind
{
    /// <summary>The answer breaks the rule and is left as it is; <see cref="RuleOutcome.After"/> holds a suggestion when the rule has one.</summary>
    Flagged,

    /// <summary>The rule corrected the value from <see cref="RuleOutcome.Before"/> to <see cref="RuleOutcome.After"/>.</summary>
    Fixed,
}

/// <summary>What one rule did with one answer. Before and After are the field's JSON as stored (null: missing).</summary>
public sealed record RuleOutcome(int RuleIndex, CleansingRule Rule, RuleOutcomeKind Kind, string? Reason, JsonElement? Before, JsonElement? After);

/// <summary>
/// The rules' outcomes for one answer and the answer with every fix applied (the input instance itself when nothing
/// changed). Annotators see the same outcomes as hints while labeling: flags as warnings, fixes as suggestions.
/// </summary>
public sealed class AnswerEvaluation
{
    internal AnswerEvaluation(IReadOnlyList<RuleOutcome> outcomes, IReadOnlyDictionary<string, JsonElement> values, bool changed)
    {
        Outcomes = outcomes;
        Values = values;
        Changed = changed;
    }

    public IReadOnlyList<RuleOutcome> Outcomes { get; }
    public IReadOnlyDictionary<string, JsonElement> Values { get; }
    public bool Changed { get; }
    public bool Clean => Outcomes.Count == 0;

    /// <summary>The outcomes about one field, in rule order: what the labeling page shows beside that field as hints.</summary>
    public IEnumerable<RuleOutcome> OutcomesFor(string field) => Outcomes.Where(o => o.Rule.Field == field);
}

/// <summary>
/// A rule set compiled against its schema: regexes compiled, fields resolved to slots, label and value sets built.
/// Immutable and safe to share between threads; <see cref="Evaluate"/> reads each field's JSON at most once and
/// allocates nothing beyond the codec's reads for an answer that keeps every rule.
/// </summary>
public sealed partial class CompiledRuleSet
{
    private static readonly IReadOnlyList<RuleOutcome> NoOutcomes = [];

    private readonly CompiledRule[] rules;
    private readonly LabelField[] fields;

    private CompiledRuleSet(LabelSchema schema, CleansingRuleSet ruleSet)
    {
        Schema = schema;
        RuleSet = ruleSet;
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new List<LabelField>();
        int Slot(string name)
        {
            if (!slots.TryGetValue(name, out var slot))
            {
                slot = slots[name] = used.Count;
                used.Add(schema.Field(name)!);
            }
            return slot;
        }
        rules = [.. ruleSet.Rules.Select((rule, index) => CompiledRule.Create(rule, index, schema, Slot))];
        fields = [.. used];
    }

    public LabelSchema Schema { get; }
    public CleansingRuleSet RuleSet { get; }

    /// <summary>Validates the rule set against the schema (<see cref="ValidationException"/> naming each rule at fault) and compiles it.</summary>
    public static CompiledRuleSet Compile(LabelSchema schema, CleansingRuleSet ruleSet)
    {
        CleansingRuleValidator.Validate(schema, ruleSet);
        return new CompiledRuleSet(schema, ruleSet);
    }

    /// <summary>Runs every rule in order over one answer; fixes chain, and the input is never changed.</summary>
    public AnswerEvaluation Evaluate(IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData = null)
    {
        var slots = ArrayPool<Slot>.Shared.Rent(fields.Length);
        try
        {
            var context = new EvaluationContext(fields, slots, values, itemData);
            foreach (var rule in rules)
            {
                rule.Apply(ref context);
            }
            if (context.Outcomes is null)
            {
                return new AnswerEvaluation(NoOutcomes, values, changed: false);
            }
            var changed = false;
            for (var i = 0; i < fields.Length; i++)
            {
                changed |= slots[i].Dirty;
            }
            if (!changed)
            {
                return new AnswerEvaluation(context.Outcomes, values, changed: false);
            }
            var fixedValues = new Dictionary<string, JsonElement>(values, StringComparer.Ordinal);
            for (var i = 0; i < fields.Length; i++)
            {
                if (slots[i].Dirty)
                {
                    fixedValues[fields[i].Name] = slots[i].FixedJson;
                }
            }
            return new AnswerEvaluation(context.Outcomes, fixedValues, changed: true);
        }
        finally
        {
            Array.Clear(slots, 0, fields.Length);
            ArrayPool<Slot>.Shared.Return(slots);
        }
    }

    /// <summary>One field's state during an evaluation: the stored JSON, read lazily, replaced by fixes.</summary>
    internal struct Slot
    {
        public bool Loaded;
        public bool Dirty;
        public AnswerRead Read;

        /// <summary>The fixed value as JSON, written once per fix and reused by later outcomes and the result.</summary>
        public JsonElement FixedJson;
    }

    internal ref struct EvaluationContext(LabelField[] fields, Slot[] slots, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        public List<RuleOutcome>? Outcomes;

        public readonly IReadOnlyDictionary<string, JsonElement>? ItemData => itemData;

        public readonly AnswerRead Get(int slot)
        {
            ref var state = ref slots[slot];
            if (!state.Loaded)
            {
                state.Read = AnswerCodec.Read(fields[slot], values);
                state.Loaded = true;
            }
            return state.Read;
        }

        /// <summary>The stored JSON string of a field not yet fixed (a number or date imported as text), else null.</summary>
        public readonly string? StoredString(int slot) =>
            !slots[slot].Dirty && values.TryGetValue(fields[slot].Name, out var raw) && raw.ValueKind == JsonValueKind.String ? raw.GetString() : null;

        public readonly JsonElement? Current(int slot) =>
            slots[slot].Dirty ? slots[slot].FixedJson
            : values.TryGetValue(fields[slot].Name, out var raw) ? raw
            : null;

        public void Flag(CompiledRule rule, string reason, AnswerValue? suggestion = null) =>
            (Outcomes ??= []).Add(new RuleOutcome(rule.Index, rule.Rule, RuleOutcomeKind.Flagged, rule.Rule.Message ?? reason, Current(rule.Slot),
                suggestion is null ? null : AnswerCodec.ToJson(suggestion)));

        /// <summary>Applies a fix unless it breaks the field's schema rules; then, or in Flag mode, flags with the fix as suggestion.</summary>
        public void Fix(CompiledRule rule, AnswerValue value, string reasonWhenFlagged)
        {
            var field = fields[rule.Slot];
            var problem = value is TextAnswer { Text: var text } && string.IsNullOrWhiteSpace(text)
                ? field.Required ? $"'{field.DisplayTitle}' is required." : null
                : AnnotationValidator.Check(field, value, itemData);
            if (problem is not null)
            {
                (Outcomes ??= []).Add(new RuleOutcome(rule.Index, rule.Rule, RuleOutcomeKind.Flagged, $"The fix would break the answer: {problem}", Current(rule.Slot), AnswerCodec.ToJson(value)));
                return;
            }
            if (rule.Rule.Mode == RuleMode.Flag)
            {
                Flag(rule, reasonWhenFlagged, value);
                return;
            }
            var before = Current(rule.Slot);
            var after = AnswerCodec.ToJson(value);
            ref var state = ref slots[rule.Slot];
            state.Read = new AnswerRead(value);
            state.Loaded = true;
            state.Dirty = true;
            state.FixedJson = after;
            (Outcomes ??= []).Add(new RuleOutcome(rule.Index, rule.Rule, RuleOutcomeKind.Fixed, null, before, after));
        }
    }

    internal abstract class CompiledRule(CleansingRule rule, int index, LabelField field, int slot)
    {
        public CleansingRule Rule { get; } = rule;
        public int Index { get; } = index;
        public LabelField Field { get; } = field;
        public int Slot { get; } = slot;

        public abstract void Apply(ref EvaluationContext context);

        public static CompiledRule Create(CleansingRule rule, int index, LabelSchema schema, Func<string, int> slot) =>
            Create(rule, index, schema.Field(rule.Field)!, schema, slot);

        private static CompiledRule Create(CleansingRule rule, int index, LabelField field, LabelSchema schema, Func<string, int> slot) => rule switch
        {
            RequiredRule => new RequiredCheck(rule, index, field, slot(field.Name)),
            RegexRule regex => new RegexCheck(regex, index, field, slot(field.Name)),
            NumberRangeRule range => new NumberRangeCheck(range, index, field, slot(field.Name)),
            DateRangeRule dates => new DateRangeCheck(dates, index, field, slot(field.Name)),
            AllowedValuesRule allowed => new AllowedValuesCheck(allowed, index, field, slot(field.Name)),
            LengthRule length => new LengthCheck(length, index, field, slot(field.Name)),
            CrossFieldRule cross => new CrossFieldCheck(cross, index, field, slot(field.Name), schema.Field(cross.When.Field)!, slot(cross.When.Field)),
            SpanMinLengthRule spans => new SpanMinLengthCheck(spans, index, field, slot(field.Name)),
            SpanCutsWordRule cuts => new SpanCutsWordCheck(cuts, index, field, slot(field.Name)),
            SpanOverlapRule overlap => new SpanOverlapCheck(overlap, index, field, slot(field.Name)),
            BoxMinSizeRule size => new BoxMinSizeCheck(size, index, field, slot(field.Name)),
            BoxOverlapRule boxes => new BoxOverlapCheck(boxes, index, field, slot(field.Name)),
            TrimRule => new TextNormalization(rule, index, field, slot(field.Name), TextForms.Trim, "The text has white space at its start or end."),
            CollapseWhitespaceRule => new TextNormalization(rule, index, field, slot(field.Name), TextForms.CollapseWhitespace, "The text has repeated or unusual white space."),
            UnicodeNfcRule => new TextNormalization(rule, index, field, slot(field.Name), TextForms.Nfc, "The text is not in Unicode normalisation form C."),
            FullWidthToHalfWidthRule => new TextNormalization(rule, index, field, slot(field.Name), TextForms.FullWidthToHalfWidth, "The text has full-width letters, digits or spaces."),
            NumberFormatRule number => new NumberFormatFix(number, index, field, slot(field.Name)),
            DateFormatRule date => new DateFormatFix(date, index, field, slot(field.Name)),
            _ => throw new NotSupportedException($"No evaluation for rule kind {rule.GetType().Name}."),
        };

        /// <summary>A value's comparable strings: a label, each label of a list, the text, a number in invariant form, a date as yyyy-MM-dd.</summary>
        protected static IEnumerable<string> Strings(AnswerValue value) => value.Match<IEnumerable<string>>(
            choice: c => [c.Label],
            multiChoice: m => m.Labels,
            spans: s => s.Spans.Select(span => span.Label),
            boxes: b => b.Boxes.Select(box => box.Label),
            text: t => [t.Text],
            number: n => [TextForms.FormatNumber(n.Value)],
            date: d => [AnswerCodec.FormatDate(d.Date)],
            rating: r => [r.Stars.ToString(CultureInfo.InvariantCulture)]);

        /// <summary>Configured values in the form <see cref="Strings"/> gives for this field ("3.0" is 3 on a number field).</summary>
        protected static HashSet<string> ValueSet(IEnumerable<string> values, LabelField field) =>
            values.Select(v => field.Kind.IsNumeric() && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? TextForms.FormatNumber(number)
                : v).ToHashSet(StringComparer.Ordinal);

        protected static HashSet<string>? LabelFilter(IReadOnlyList<string> labels) => labels.Count == 0 ? null : labels.ToHashSet(StringComparer.Ordinal);

        protected static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class RequiredCheck(CleansingRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).IsEmpty)
            {
                context.Flag(this, $"'{Field.DisplayTitle}' is required.");
            }
        }
    }

    private sealed class RegexCheck(RegexRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly Regex regex = new(rule.Pattern,
            RegexOptions.Compiled | RegexOptions.CultureInvariant | (rule.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None),
            TimeSpan.FromMilliseconds(rule.TimeoutMs));

        public override void Apply(ref EvaluationContext context)
        {
            var text = context.Get(Slot).Clean?.Match<string?>(choice: c => c.Label, multiChoice: _ => null, spans: _ => null, boxes: _ => null,
                text: t => t.Text, number: _ => null, date: _ => null, rating: _ => null);
            if (text is null)
            {
                return;
            }
            bool matches;
            try
            {
                matches = regex.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                context.Flag(this, "The text is too complex to check against the pattern.");
                return;
            }
            if (matches != rule.MustMatch)
            {
                context.Flag(this, rule.MustMatch ? $"Does not match the pattern {rule.Pattern}." : $"Matches the forbidden pattern {rule.Pattern}.");
            }
        }
    }

    private sealed class NumberRangeCheck(NumberRangeRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            double? number = context.Get(Slot).Clean switch
            {
                NumberAnswer n => n.Value,
                RatingAnswer r => r.Stars,
                _ => null,
            };
            if (number is not { } value)
            {
                return;
            }
            if (rule.Min is { } min && value < min)
            {
                context.Flag(this, $"Must be at least {Invariant(min)}.");
            }
            else if (rule.Max is { } max && value > max)
            {
                context.Flag(this, $"Must be at most {Invariant(max)}.");
            }
        }
    }

    private sealed class DateRangeCheck(DateRangeRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not DateAnswer { Date: var date })
            {
                return;
            }
            if (rule.Min is { } min && date < min)
            {
                context.Flag(this, $"Must be on or after {AnswerCodec.FormatDate(min)}.");
            }
            else if (rule.Max is { } max && date > max)
            {
                context.Flag(this, $"Must be on or before {AnswerCodec.FormatDate(max)}.");
            }
        }
    }

    private sealed class AllowedValuesCheck(AllowedValuesRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        private readonly HashSet<string> allowed = ValueSet(rule.Values, field);

        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not { } value)
            {
                return;
            }
            foreach (var text in Strings(value))
            {
                if (!allowed.Contains(text))
                {
                    context.Flag(this, $"'{text}' is not one of the allowed values.");
                    return;
                }
            }
        }
    }

    private sealed class LengthCheck(LengthRule rule, int index, LabelField field, int slot) : CompiledRule(rule, index, field, slot)
    {
        public override void Apply(ref EvaluationContext context)
        {
            if (context.Get(Slot).Clean is not TextAnswer { Text: var text })
            {
                return;
            }
            var length = TextForms.VisibleLength(text);
            if (rule.Min is { } min && length < min)
            {
                context.Flag(this, $"At least {min} characters (this has {length}).");
            }
            else if (rule.Max is { } max && length > max)
            {
                context.Flag(this, $"At most {max} characters (this has {length}).");
            }
        }
    }

    private sealed class CrossFieldCheck : CompiledRule
    {
        private readonly CrossFieldRule cross;
        private readonly int conditionSlot;
        private readonly HashSet<string> whenValues;
        private readonly HashSet<string> thenValues;
        private readonly Regex? pattern;
        private readonly string condition;

        public CrossFieldCheck(CrossFieldRule rule, int index, LabelField field, int slot, LabelField conditionField, int conditionSlot)
            : base(rule, index, field, slot)
        {
            cross = rule;
            this.conditionSlot = conditionSlot;
            // "Is" compares with the first value only; the sets then serve both operators.
            whenValues = ValueSet(rule.When.Operator == ConditionOperator.Is ? rule.When.Values.Take(1) : rule.When.Values, conditionField);
            thenValues = ValueSet(rule.Then.Operator == RequirementOperator.Is ? rule.Then.Values.Take(1) : rule.Then.Values, field);
            pattern = rule.Then.Operator == RequirementOperator.Matches
                ? new Regex(rule.Then.Pattern!, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(RegexRule.DefaultTimeoutMs))
                : null;
            condition = rule.When.Operator switch
            {
                ConditionOperator.Is => $"'{rule.When.Field}' is {rule.When.Values[0]}",
                ConditionOperator.IsOneOf => $"'{rule.When.Field}' is one of {string.Join(", ", rule.When.Values)}",
                ConditionOperator.IsEmpty => $"'{rule.When.Field}' is empty",
                ConditionOperator.IsNotEmpty => $"'{rule.When.Field}' is not empty",
            };
        }

        public override void Apply(ref EvaluationContext context)
        {
            var when = context.Get(conditionSlot);
            var holds = cross.When.Operator switch
            {
                ConditionOperator.IsEmpty => when.IsEmpty,
                ConditionOperator.IsNotEmpty => !when.IsEmpty,
                ConditionOperator.Is or ConditionOperator.IsOneOf => when.Clean is { } value && Strings(value).Any(whenValues.Contains),
            };
            if (!holds)
            {
                return;
            }
            var then = context.Get(Slot);
            if (then.Problem is not null)
            {
                // Unreadable: the schema's validation names it; comparing would only add noise.
                return;
            }
            var name = Field.DisplayTitle;
            string? reason = cross.Then.Operator switch
            {
                RequirementOperator.IsEmpty => then.IsEmpty ? null : $"'{name}' must be empty because {condition}.",
                RequirementOperator.IsNotEmpty => then.IsEmpty ? $"'{name}' must not be empty because {condition}." : null,
                RequirementOperator.Is => !then.IsEmpty && Strings(then.Value!).All(thenValues.Contains)
                    ? null : $"'{name}' must be {cross.Then.Values[0]} because {condition}.",
                RequirementOperator.IsOneOf => !then.IsEmpty && Strings(then.Value!).All(thenValues.Contains)
                    ? null : $"'{name}' must be one of {string.Join(", ", cross.Then.Values)} because {condition}.",
                RequirementOperator.Matches => !then.IsEmpty && Matches(then.Value!)
                    ? null : $"'{name}' must match {cross.Then.Pattern} because {condition}.",
            };
            if (reason is not null)
            {
                context.Flag(this, reason);
            }
        }

        private bool Matches(AnswerValue value)
        {
            try
            {
                return Strings(value).All(pattern!.IsMatch);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
