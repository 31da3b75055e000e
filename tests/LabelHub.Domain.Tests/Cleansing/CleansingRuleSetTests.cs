using System.Text.Json;
using LabelHub.Domain.Cleansing;
using static LabelHub.Domain.Tests.Cleansing.RuleFixtures;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The rule set as a whole: its JSON, its validation against the schema, fix chains and fixes that would break the answer.</summary>
public sealed class CleansingRuleSetTests
{
    private static readonly CleansingRuleSet EveryKind = new()
    {
        Rules =
        [
            new RequiredRule { Id = "required", Field = "name", Message = "이름은 필수입니다" },
            new RegexRule { Id = "regex", Field = "name", Pattern = "^[가-힣 ]+$", MustMatch = false, IgnoreCase = true, TimeoutMs = 50 },
            new NumberRangeRule { Id = "number_range", Field = "amount", Min = 0, Max = 10 },
            new DateRangeRule { Id = "date_range", Field = "date", Min = new DateOnly(2024, 1, 1) },
            new AllowedValuesRule { Id = "allowed_values", Field = "category", Values = ["person"] },
            new LengthRule { Id = "length", Field = "name", Max = 5 },
            new CrossFieldRule
            {
                Id = "cross_field",
                Field = "name",
                When = new FieldCondition { Field = "category", Operator = ConditionOperator.IsOneOf, Values = ["person", "place"] },
                Then = new FieldRequirement { Operator = RequirementOperator.Matches, Pattern = "^.+$" },
            },
            new SpanMinLengthRule { Id = "span_min_length", Field = "entities", MinLength = 2, Labels = ["PER"] },
            new SpanCutsWordRule { Id = "span_cuts_word", Field = "entities", Mode = RuleMode.Fix, AllowedSuffixes = ["은", "는"] },
            new SpanOverlapRule { Id = "span_overlap", Field = "entities", Labels = ["PER", "LOC"] },
            new BoxMinSizeRule { Id = "box_min_size", Field = "boxes", MinWidth = 8, MinHeight = 8, Unit = BoxUnit.Pixel, Labels = ["car"] },
            new BoxOverlapRule { Id = "box_overlap", Field = "boxes", Labels = ["car"], MaxIoU = 0.3 },
            new TrimRule { Id = "trim", Field = "name", Mode = RuleMode.Fix },
            new CollapseWhitespaceRule { Id = "collapse_whitespace", Field = "name", Mode = RuleMode.Fix },
            new UnicodeNfcRule { Id = "unicode_nfc", Field = "name" },
            new FullWidthToHalfWidthRule { Id = "full_width_to_half_width", Field = "name", Mode = RuleMode.Fix },
            new NumberFormatRule { Id = "number_format", Field = "amount", Mode = RuleMode.Fix, DecimalComma = true },
            new DateFormatRule { Id = "date_format", Field = "date", Mode = RuleMode.Fix, Order = DayMonthOrder.DayFirst },
        ],
    };

    [Fact]
    public void Every_kind_round_trips_through_json_under_its_stable_name()
    {
        var json = EveryKind.ToJson();
        var back = CleansingRuleSet.FromJson(json);

        Assert.Equal(EveryKind.ToJson(), back.ToJson());
        var kinds = JsonDocument.Parse(json).RootElement.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToList();
        // Each rule's id above is its kind's stored name: renaming a kind breaks this line.
        Assert.Equal(EveryKind.Rules.Select(r => r.Id), kinds);
        Assert.Equal(EveryKind.Rules.Select(r => r.GetType()), back.Rules.Select(r => r.GetType()));
        Assert.Equal(18, kinds.Distinct().Count());
        Assert.Empty(CleansingRuleValidator.Problems(Schema, back));
    }

    [Fact]
    public void Hand_written_json_may_put_the_kind_anywhere_and_uses_enum_names()
    {
        const string json = """
            {"rules": [{"id": "c", "field": "name", "mode": "Fix", "kind": "collapse_whitespace"},
                       {"id": "x", "field": "amount", "kind": "cross_field",
                        "when": {"field": "category", "operator": "Is", "values": ["person"]}, "then": {"operator": "IsEmpty"}}]}
            """;

        var set = CleansingRuleSet.FromJson(json);

        Assert.Equal(RuleMode.Fix, Assert.IsType<CollapseWhitespaceRule>(set.Rules[0]).Mode);
        Assert.Equal(RequirementOperator.IsEmpty, Assert.IsType<CrossFieldRule>(set.Rules[1]).Then.Operator);
        Assert.Throws<JsonException>(() => CleansingRuleSet.FromJson("""{"rules": [{"kind": "no_such_kind", "id": "a", "field": "name"}]}"""));
        Assert.Equal("Every rule needs a kind.", Assert.Throws<JsonException>(() => CleansingRuleSet.FromJson("""{"rules": [{"id": "a", "field": "name"}]}""")).Message);
        Assert.Throws<JsonException>(() => CleansingRuleSet.FromJson("""{"rules": [{"kind": "allowed_values", "id": "a", "field": "category", "values": null}]}"""));
        // A kind's own settings are required where the record says so.
        Assert.Throws<JsonException>(() => CleansingRuleSet.FromJson("""{"rules": [{"kind": "regex", "id": "a", "field": "name"}]}"""));
    }

    [Fact]
    public void Validation_names_the_rule_and_the_setting_at_fault()
    {
        var set = new CleansingRuleSet
        {
            Rules =
            [
                new RegexRule { Id = "a", Field = "name", Pattern = "([unclosed" },
                new TrimRule { Id = "a", Field = "nope" },
                new TrimRule { Id = "c", Field = "amount" },
                new NumberRangeRule { Id = "d", Field = "amount", Min = 5, Max = 1 },
                new RequiredRule { Id = "e", Field = "name", Mode = RuleMode.Fix },
                new SpanOverlapRule { Id = "f", Field = "entities", Labels = ["PER", "DATE"] },
                new CrossFieldRule
                {
                    Id = "g",
                    Field = "name",
                    When = new FieldCondition { Field = "category", Operator = ConditionOperator.Is, Values = ["animal"] },
                    Then = new FieldRequirement { Operator = RequirementOperator.Matches, Pattern = "(" },
                },
                new BoxOverlapRule { Id = "h", Field = "boxes", Labels = ["car"], MaxIoU = 1.5 },
                new LengthRule { Id = "i", Field = "name", Min = 4, Max = 2 },
                new RegexRule { Id = "j", Field = "name", Pattern = "a", TimeoutMs = 0 },
                new CrossFieldRule
                {
                    Id = "k",
                    Field = "name",
                    When = new FieldCondition { Field = "name", Operator = ConditionOperator.IsEmpty },
                    Then = new FieldRequirement { Operator = RequirementOperator.IsNotEmpty },
                },
            ],
        };

        var problems = CleansingRuleValidator.Problems(Schema, set);

        Assert.StartsWith("Not a valid regular expression:", Assert.Single(problems["rules[0].pattern"]));
        Assert.Equal("Another rule already has the id 'a'.", Assert.Single(problems["rules[1].id"]));
        Assert.Equal("The label schema has no such field.", Assert.Single(problems["rules[1].field"]));
        Assert.Equal("A trim rule does not apply to a Number field.", Assert.Single(problems["rules[2].kind"]));
        Assert.Equal("The minimum is greater than the maximum.", Assert.Single(problems["rules[3].min"]));
        Assert.Equal("A required rule can only flag, not fix.", Assert.Single(problems["rules[4].mode"]));
        Assert.Equal("'DATE' is not one of the labels (PER, LOC, ORG).", Assert.Single(problems["rules[5].labels"]));
        Assert.Equal("'animal' is not a value the field 'category' can hold.", Assert.Single(problems["rules[6].when.values"]));
        Assert.StartsWith("Not a valid regular expression:", Assert.Single(problems["rules[6].then.pattern"]));
        Assert.Equal("The IoU threshold must be at least 0 and below 1.", Assert.Single(problems["rules[7].maxIoU"]));
        Assert.Equal("The minimum is greater than the maximum.", Assert.Single(problems["rules[8].min"]));
        Assert.Equal("The timeout must be from 1 to 10000 milliseconds.", Assert.Single(problems["rules[9].timeoutMs"]));
        Assert.Equal("The condition must be on another field.", Assert.Single(problems["rules[10].when.field"]));
        Assert.Equal(13, problems.Count);
        var refused = Assert.Throws<ValidationException>(() => CompiledRuleSet.Compile(Schema, set));
        Assert.Equal(problems.Keys.Order(StringComparer.Ordinal), refused.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Fixes_chain_in_rule_order()
    {
        var rules = Compile(
            new FullWidthToHalfWidthRule { Id = "fw", Field = "name", Mode = RuleMode.Fix },
            new CollapseWhitespaceRule { Id = "ws", Field = "name", Mode = RuleMode.Fix },
            new TrimRule { Id = "trim", Field = "name", Mode = RuleMode.Fix },
            new NumberFormatRule { Id = "num", Field = "name", Mode = RuleMode.Fix },
            new LengthRule { Id = "len", Field = "name", Max = 4 });

        // Full-width digits and an ideographic space, as a Korean IME types them.
        var evaluation = rules.Evaluate(Json("""{"name": "\u3000１,２３４\u3000\u3000", "amount": 3}"""));

        Assert.Equal(["fw", "ws", "trim", "num"], evaluation.Outcomes.Select(o => o.Rule.Id));
        Assert.All(evaluation.Outcomes, o => Assert.Equal(RuleOutcomeKind.Fixed, o.Kind));
        // Each fix starts from the one before.
        Assert.Equal(" 1,234  ", evaluation.Outcomes[0].After!.Value.GetString());
        Assert.Equal(" 1,234 ", evaluation.Outcomes[1].After!.Value.GetString());
        Assert.Equal("1,234", evaluation.Outcomes[2].After!.Value.GetString());
        Assert.Equal("1,234", evaluation.Outcomes[3].Before!.Value.GetString());
        Assert.Equal("1234", evaluation.Values["name"].GetString());
        Assert.Equal(3, evaluation.Values["amount"].GetInt32());
        // The length rule saw "1234" (4), not the 8 characters stored.
        Assert.DoesNotContain(evaluation.Outcomes, o => o.Rule.Id == "len");
    }

    [Fact]
    public void A_fix_that_would_break_the_answer_under_the_schema_is_a_flag_instead()
    {
        // "exclusive" does not allow overlapping spans: widening the first span to its word would overlap the second.
        var rules = Compile(new SpanCutsWordRule { Id = "w", Field = "exclusive", Mode = RuleMode.Fix });
        var values = Json("""{"exclusive": [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 5, "label": "LOC"}]}""");

        var evaluation = rules.Evaluate(values, Json("""{"text": "이순신장군"}"""));

        var outcome = Single(evaluation);
        Assert.Equal(RuleOutcomeKind.Flagged, outcome.Kind);
        Assert.Equal("The fix would break the answer: Spans overlap, which this field does not allow.", outcome.Reason);
        Assert.False(evaluation.Changed);
        Assert.Same(values, evaluation.Values);
    }

    [Fact]
    public void A_date_written_out_longer_than_the_field_allows_is_a_flag_not_a_fix()
    {
        // The field holds at most 9 characters: "2024.3.5" fits, its ISO form does not.
        var rules = CompiledRuleSet.Compile(Schema with { Fields = [.. Schema.Fields.Select(f => f.Name == "short" ? f with { MaxLength = 9 } : f)] },
            new CleansingRuleSet { Rules = [new DateFormatRule { Id = "d", Field = "short", Mode = RuleMode.Fix }] });

        var outcome = Single(rules.Evaluate(Json("""{"short": "2024.3.5"}""")));

        Assert.Equal(("The fix would break the answer: At most 9 characters (this has 10).", RuleOutcomeKind.Flagged), (outcome.Reason, outcome.Kind));
        Assert.Equal("2024-03-05", outcome.After!.Value.GetString());
    }

    [Fact]
    public void Hints_for_a_draft_are_the_outcomes_per_field_and_the_draft_is_not_changed()
    {
        var rules = Compile(
            new FullWidthToHalfWidthRule { Id = "fw", Field = "name", Mode = RuleMode.Fix },
            new CrossFieldRule
            {
                Id = "x",
                Field = "amount",
                When = new FieldCondition { Field = "category", Operator = ConditionOperator.Is, Values = ["place"] },
                Then = new FieldRequirement { Operator = RequirementOperator.IsNotEmpty },
            });
        var draft = Json("""{"name": "제１공장", "category": "place"}""");

        var evaluation = rules.Evaluate(draft);

        Assert.Equal("제1공장", Assert.Single(evaluation.OutcomesFor("name")).After!.Value.GetString());
        Assert.Equal("x", Assert.Single(evaluation.OutcomesFor("amount")).Rule.Id);
        Assert.Empty(evaluation.OutcomesFor("category"));
        Assert.Equal("제１공장", draft["name"].GetString());
    }

    [Fact]
    public void A_clean_answer_comes_back_as_the_same_instance()
    {
        var rules = Compile(new TrimRule { Id = "t", Field = "name", Mode = RuleMode.Fix }, new RequiredRule { Id = "r", Field = "name" });
        var values = Json("""{"name": "서울"}""");

        var evaluation = rules.Evaluate(values);

        Assert.True(evaluation.Clean);
        Assert.Same(values, evaluation.Values);
    }

    [Fact]
    public void Evaluation_is_the_same_from_many_threads()
    {
        var rules = Compile(
            new FullWidthToHalfWidthRule { Id = "fw", Field = "name", Mode = RuleMode.Fix },
            new RegexRule { Id = "re", Field = "name", Pattern = "^[0-9]+$" },
            new NumberRangeRule { Id = "n", Field = "amount", Max = 50 });
        var answers = Enumerable.Range(0, 2000)
            .Select(i => Json(JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = i % 3 == 0 ? $"１{i}" : $"x{i}", ["amount"] = i % 100 })))
            .ToList();

        var sequential = answers.Select(a => Describe(rules.Evaluate(a))).ToList();
        var parallel = answers.AsParallel().AsOrdered().WithDegreeOfParallelism(4).Select(a => Describe(rules.Evaluate(a))).ToList();

        Assert.Equal(sequential, parallel);
        Assert.Contains(sequential, s => s.Contains("fw:Fixed", StringComparison.Ordinal));

        static string Describe(AnswerEvaluation e) => string.Join(";", e.Outcomes.Select(o => $"{o.Rule.Id}:{o.Kind}:{o.After?.GetRawText()}"));
    }
}
