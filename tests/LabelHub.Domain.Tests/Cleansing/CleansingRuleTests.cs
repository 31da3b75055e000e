using System.Text.Json;
using LabelHub.Domain.Cleansing;
using static LabelHub.Domain.Tests.Cleansing.RuleFixtures;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>Every rule kind flags what breaks it and leaves what keeps it; rules that fix correct the value.</summary>
public sealed class CleansingRuleTests
{
    [Fact]
    public void Required_flags_a_missing_or_blank_value_and_passes_a_given_one()
    {
        var rule = new RequiredRule { Id = "r", Field = "name" };

        Assert.Equal("'name' is required.", Single(Evaluate(rule, """{}""")).Reason);
        Assert.Equal(RuleOutcomeKind.Flagged, Single(Evaluate(rule, """{"name": "   "}""")).Kind);
        Assert.True(Evaluate(rule, """{"name": "홍길동"}""").Clean);
    }

    [Fact]
    public void A_rule_message_replaces_the_reason()
    {
        var rule = new RequiredRule { Id = "r", Field = "name", Message = "이름을 입력하세요" };

        Assert.Equal("이름을 입력하세요", Single(Evaluate(rule, """{}""")).Reason);
    }

    [Fact]
    public void Regex_must_match_or_must_not_match()
    {
        var code = new RegexRule { Id = "code", Field = "name", Pattern = "^[A-Z]{2}-[0-9]{3}$" };
        var noDigits = new RegexRule { Id = "digits", Field = "name", Pattern = "[0-9]", MustMatch = false };

        Assert.True(Evaluate(code, """{"name": "AB-123"}""").Clean);
        Assert.Equal("Does not match the pattern ^[A-Z]{2}-[0-9]{3}$.", Single(Evaluate(code, """{"name": "ab-123"}""")).Reason);
        Assert.True(Evaluate(code with { IgnoreCase = true }, """{"name": "ab-123"}""").Clean);
        Assert.Equal(RuleOutcomeKind.Flagged, Single(Evaluate(noDigits, """{"name": "서울 3번지"}""")).Kind);
        Assert.True(Evaluate(noDigits, """{"name": "서울"}""").Clean);
        // A choice's label is text too.
        Assert.Single(Evaluate(code with { Field = "category" }, """{"category": "person"}""").Outcomes);
    }

    [Fact]
    public void A_regex_that_runs_past_its_timeout_flags_the_value_as_too_complex()
    {
        // Catastrophic backtracking: (a+)+b against a long run of a's with no b.
        var rule = new RegexRule { Id = "slow", Field = "name", Pattern = "^(a+)+b$", TimeoutMs = 1 };
        var values = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = new string('a', 5000) + "!" });

        var outcome = Single(Evaluate(rule, values));

        Assert.Equal("The text is too complex to check against the pattern.", outcome.Reason);
    }

    [Fact]
    public void Number_range_checks_numbers_and_ratings()
    {
        var range = new NumberRangeRule { Id = "n", Field = "amount", Min = 0, Max = 100 };

        Assert.Equal("Must be at least 0.", Single(Evaluate(range, """{"amount": -0.5}""")).Reason);
        Assert.Equal("Must be at most 100.", Single(Evaluate(range, """{"amount": 100.25}""")).Reason);
        Assert.True(Evaluate(range, """{"amount": 100}""").Clean);
        Assert.True(Evaluate(range, """{}""").Clean);
        Assert.Single(Evaluate(new NumberRangeRule { Id = "r", Field = "rating", Min = 2 }, """{"rating": 1}""").Outcomes);
    }

    [Fact]
    public void Date_range_is_inclusive()
    {
        var rule = new DateRangeRule { Id = "d", Field = "date", Min = new DateOnly(2024, 1, 1), Max = new DateOnly(2024, 12, 31) };

        Assert.True(Evaluate(rule, """{"date": "2024-01-01"}""").Clean);
        Assert.True(Evaluate(rule, """{"date": "2024-12-31"}""").Clean);
        Assert.Equal("Must be on or after 2024-01-01.", Single(Evaluate(rule, """{"date": "2023-12-31"}""")).Reason);
        Assert.Equal("Must be on or before 2024-12-31.", Single(Evaluate(rule, """{"date": "2025-01-01"}""")).Reason);
    }

    [Fact]
    public void Allowed_values_apply_to_labels_of_choices_lists_spans_and_to_text()
    {
        var choice = new AllowedValuesRule { Id = "a", Field = "category", Values = ["person", "place"] };
        var tags = new AllowedValuesRule { Id = "t", Field = "tags", Values = ["a", "b"] };
        var spans = new AllowedValuesRule { Id = "s", Field = "entities", Values = ["PER"] };

        Assert.True(Evaluate(choice, """{"category": "place"}""").Clean);
        Assert.Equal("'other' is not one of the allowed values.", Single(Evaluate(choice, """{"category": "other"}""")).Reason);
        Assert.Equal("'c' is not one of the allowed values.", Single(Evaluate(tags, """{"tags": ["a", "c"]}""")).Reason);
        Assert.Single(Evaluate(spans, """{"entities": [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 5, "label": "LOC"}]}""").Outcomes);
        Assert.Single(Evaluate(new AllowedValuesRule { Id = "x", Field = "name", Values = ["예", "아니오"] }, """{"name": "몰라"}""").Outcomes);
    }

    [Fact]
    public void Length_counts_what_a_reader_sees_so_conjoining_jamo_make_one_syllable()
    {
        var rule = new LengthRule { Id = "l", Field = "name", Min = 2, Max = 3 };
        // "한국" as conjoining jamo: ᄒ ᅡ ᆫ ᄀ ᅮ ᆨ, six UTF-16 units, two syllables on screen.
        var jamo = "\u1112\u1161\u11AB\u1100\u116E\u11A8";
        var values = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = jamo });

        Assert.Equal(6, jamo.Length);
        Assert.True(Evaluate(rule, values).Clean);
        Assert.True(Evaluate(rule, """{"name": "한국어"}""").Clean);
        Assert.Equal("At most 3 characters (this has 4).", Single(Evaluate(rule, """{"name": "대한민국"}""")).Reason);
        Assert.Equal("At least 2 characters (this has 1).", Single(Evaluate(rule, """{"name": "👍🏽"}""")).Reason);
    }

    [Fact]
    public void Cross_field_requires_when_the_condition_holds_only()
    {
        var rule = new CrossFieldRule
        {
            Id = "x",
            Field = "name",
            When = new FieldCondition { Field = "category", Operator = ConditionOperator.Is, Values = ["person"] },
            Then = new FieldRequirement { Operator = RequirementOperator.IsNotEmpty },
        };

        Assert.Equal("'name' must not be empty because 'category' is person.", Single(Evaluate(rule, """{"category": "person"}""")).Reason);
        Assert.True(Evaluate(rule, """{"category": "person", "name": "김철수"}""").Clean);
        Assert.True(Evaluate(rule, """{"category": "place"}""").Clean);
    }

    [Fact]
    public void Cross_field_operators_empty_one_of_and_matches()
    {
        var mustBeEmpty = new CrossFieldRule
        {
            Id = "e",
            Field = "amount",
            When = new FieldCondition { Field = "category", Operator = ConditionOperator.IsEmpty },
            Then = new FieldRequirement { Operator = RequirementOperator.IsEmpty },
        };
        var oneOf = new CrossFieldRule
        {
            Id = "o",
            Field = "rating",
            When = new FieldCondition { Field = "amount", Operator = ConditionOperator.IsOneOf, Values = ["0", "1.0"] },
            Then = new FieldRequirement { Operator = RequirementOperator.IsOneOf, Values = ["1", "2"] },
        };
        var matches = new CrossFieldRule
        {
            Id = "m",
            Field = "name",
            When = new FieldCondition { Field = "tags", Operator = ConditionOperator.Is, Values = ["b"] },
            Then = new FieldRequirement { Operator = RequirementOperator.Matches, Pattern = "^[가-힣]+$" },
        };

        Assert.Single(Evaluate(mustBeEmpty, """{"amount": 5}""").Outcomes);
        Assert.True(Evaluate(mustBeEmpty, """{"amount": 5, "category": "place"}""").Clean);
        // Numbers compare by value: 1 is "1.0" in the rule.
        Assert.Equal("'rating' must be one of 1, 2 because 'amount' is one of 0, 1.0.", Single(Evaluate(oneOf, """{"amount": 1, "rating": 4}""")).Reason);
        Assert.True(Evaluate(oneOf, """{"amount": 1, "rating": 2}""").Clean);
        Assert.True(Evaluate(oneOf, """{"amount": 3, "rating": 4}""").Clean);
        Assert.Single(Evaluate(matches, """{"tags": ["a", "b"], "name": "Seoul"}""").Outcomes);
        Assert.True(Evaluate(matches, """{"tags": ["a", "b"], "name": "서울"}""").Clean);
    }

    [Fact]
    public void Span_min_length_counts_characters_of_the_item_text()
    {
        var rule = new SpanMinLengthRule { Id = "s", Field = "entities", MinLength = 2, Labels = ["PER"] };
        const string item = """{"text": "김 씨와 이순신"}""";

        Assert.Equal("Span 1 is shorter than 2 characters.",
            Single(Evaluate(rule, """{"entities": [{"start": 0, "end": 1, "label": "PER"}]}""", item)).Reason);
        Assert.True(Evaluate(rule, """{"entities": [{"start": 5, "end": 8, "label": "PER"}]}""", item).Clean);
        // Labels outside the rule's are not checked.
        Assert.True(Evaluate(rule, """{"entities": [{"start": 0, "end": 1, "label": "LOC"}]}""", item).Clean);
    }

    [Fact]
    public void A_span_cutting_a_hangul_word_is_flagged_and_the_fix_widens_it_to_the_word()
    {
        var flag = new SpanCutsWordRule { Id = "w", Field = "entities" };
        const string item = """{"text": "대한민국의 수도는 서울입니다"}""";
        // "한민" inside "대한민국의".
        const string cut = """{"entities": [{"start": 1, "end": 3, "label": "LOC", "text": "한민"}]}""";

        Assert.Equal("Span 1 cuts a word.", Single(Evaluate(flag, cut, item)).Reason);
        var fixedSpan = Single(Evaluate(flag with { Mode = RuleMode.Fix }, cut, item));
        Assert.Equal(RuleOutcomeKind.Fixed, fixedSpan.Kind);
        var span = fixedSpan.After!.Value[0];
        Assert.Equal((0, 5, "대한민국의"), (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("text").GetString()));
        // A span on word boundaries is left alone.
        Assert.True(Evaluate(flag, """{"entities": [{"start": 10, "end": 15, "label": "LOC"}]}""", item).Clean);
    }

    [Fact]
    public void A_span_ending_before_an_allowed_particle_does_not_cut_and_the_fix_stops_before_it()
    {
        var rule = new SpanCutsWordRule { Id = "w", Field = "entities", Mode = RuleMode.Fix, AllowedSuffixes = ["에서", "은", "는", "의"] };
        const string item = """{"text": "서울특별시에서 만났다"}""";

        // "서울특별시" before the particle "에서": an entity without its particle.
        Assert.True(Evaluate(rule, """{"entities": [{"start": 0, "end": 5, "label": "LOC"}]}""", item).Clean);
        Assert.Single(Evaluate(rule with { AllowedSuffixes = [] }, """{"entities": [{"start": 0, "end": 5, "label": "LOC"}]}""", item).Outcomes);
        // "서울" cuts "서울특별시": widened to the word, still without the particle.
        var outcome = Single(Evaluate(rule, """{"entities": [{"start": 0, "end": 2, "label": "LOC"}]}""", item));
        Assert.Equal(5, outcome.After!.Value[0].GetProperty("end").GetInt32());
    }

    [Fact]
    public void Span_cuts_word_treats_latin_words_and_punctuation_by_unicode_category()
    {
        var rule = new SpanCutsWordRule { Id = "w", Field = "entities" };
        const string item = """{"text": "Hello, world_one!"}""";

        Assert.True(Evaluate(rule, """{"entities": [{"start": 0, "end": 5, "label": "ORG"}]}""", item).Clean);
        Assert.Single(Evaluate(rule, """{"entities": [{"start": 7, "end": 12, "label": "ORG"}]}""", item).Outcomes);
        Assert.Equal("The item has no text for this field.", Single(Evaluate(rule, """{"entities": [{"start": 0, "end": 5, "label": "ORG"}]}""")).Reason);
    }

    [Fact]
    public void Span_overlap_flags_only_the_listed_labels()
    {
        var rule = new SpanOverlapRule { Id = "o", Field = "entities", Labels = ["PER", "LOC"] };

        Assert.Equal("Spans 1 and 2 overlap.",
            Single(Evaluate(rule, """{"entities": [{"start": 0, "end": 4, "label": "PER"}, {"start": 2, "end": 6, "label": "LOC"}]}""")).Reason);
        Assert.True(Evaluate(rule, """{"entities": [{"start": 0, "end": 4, "label": "PER"}, {"start": 2, "end": 6, "label": "ORG"}]}""").Clean);
        Assert.True(Evaluate(rule, """{"entities": [{"start": 0, "end": 4, "label": "PER"}, {"start": 4, "end": 6, "label": "LOC"}]}""").Clean);
    }

    [Fact]
    public void Box_min_size_in_fractions_and_in_pixels()
    {
        var fraction = new BoxMinSizeRule { Id = "b", Field = "boxes", MinWidth = 0.05, MinHeight = 0.05 };
        var pixel = new BoxMinSizeRule { Id = "p", Field = "boxes", MinWidth = 10, MinHeight = 10, Unit = BoxUnit.Pixel };
        const string small = """{"boxes": [{"x": 0.1, "y": 0.1, "width": 0.5, "height": 0.5, "label": "car"}, {"x": 0.1, "y": 0.1, "width": 0.02, "height": 0.5, "label": "car"}]}""";

        Assert.Equal("Box 2 is smaller than the minimum size.", Single(Evaluate(fraction, small)).Reason);
        // 0.02 of a 1000-pixel image is 20 pixels; of a 300-pixel one, 6.
        Assert.True(Evaluate(pixel, small, """{"image": "a.png", "width": 1000, "height": 1000}""").Clean);
        Assert.Single(Evaluate(pixel, small, """{"image": "a.png", "width": 300, "height": 1000}""").Outcomes);
        // No pixels and no image size: nothing to measure in pixels.
        Assert.True(Evaluate(pixel, small).Clean);
        Assert.Single(Evaluate(pixel, """{"boxes": [{"x": 0.1, "y": 0.1, "width": 0.5, "height": 0.5, "label": "car", "x_px": 1, "y_px": 1, "width_px": 5, "height_px": 50}]}""").Outcomes);
    }

    [Fact]
    public void Box_overlap_flags_an_iou_above_the_threshold()
    {
        var rule = new BoxOverlapRule { Id = "o", Field = "boxes", Labels = ["car"], MaxIoU = 0.5 };
        // Same height, offset by a quarter of the width: IoU = 0.75 / 1.25 = 0.6.
        const string overlapping = """{"boxes": [{"x": 0, "y": 0, "width": 0.4, "height": 0.4, "label": "car"}, {"x": 0.1, "y": 0, "width": 0.4, "height": 0.4, "label": "car"}]}""";
        const string apart = """{"boxes": [{"x": 0, "y": 0, "width": 0.4, "height": 0.4, "label": "car"}, {"x": 0.3, "y": 0, "width": 0.4, "height": 0.4, "label": "car"}]}""";

        Assert.Equal("Boxes 1 and 2 overlap with IoU 0.6.", Single(Evaluate(rule, overlapping)).Reason);
        Assert.True(Evaluate(rule, apart).Clean);
        Assert.True(Evaluate(rule with { Labels = ["person"] }, overlapping).Clean);
    }

    [Theory]
    [InlineData("trim", "  서울  ", "서울")]
    [InlineData("collapse_whitespace", "서울\t 특별시\u3000\u3000중구", "서울 특별시 중구")]
    [InlineData("full_width_to_half_width", "주소：서울시 １２３번지　ＡＢＣ", "주소:서울시 123번지 ABC")]
    public void Normalisations_fix_text(string kind, string text, string expected)
    {
        var rule = Rule(kind, RuleMode.Fix);

        var outcome = Single(Evaluate(rule, JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = text })));

        Assert.Equal(RuleOutcomeKind.Fixed, outcome.Kind);
        Assert.Equal(expected, outcome.After!.Value.GetString());
    }

    [Fact]
    public void Nfc_composes_conjoining_jamo_into_syllables()
    {
        var rule = new UnicodeNfcRule { Id = "n", Field = "name", Mode = RuleMode.Fix };
        var values = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = "\u1112\u1161\u11AB\u1100\u116E\u11A8" });

        var evaluation = Evaluate(rule, values);

        Assert.Equal("한국", evaluation.Values["name"].GetString());
        Assert.True(evaluation.Changed);
        Assert.True(Evaluate(rule, """{"name": "한국"}""").Clean);
    }

    [Fact]
    public void Full_width_leaves_hangul_and_half_width_katakana_alone()
    {
        Assert.Equal("ﾃｽﾄ 한글 カタカナ", TextForms.FullWidthToHalfWidth("ﾃｽﾄ 한글 カタカナ"));
    }

    [Fact]
    public void A_normalisation_in_flag_mode_flags_with_the_fix_as_suggestion_and_changes_nothing()
    {
        var rule = new TrimRule { Id = "t", Field = "name" };

        var evaluation = Evaluate(rule, """{"name": " 서울 "}""");

        var outcome = Single(evaluation);
        Assert.Equal((RuleOutcomeKind.Flagged, "The text has white space at its start or end.", "서울"), (outcome.Kind, outcome.Reason, outcome.After!.Value.GetString()));
        Assert.False(evaluation.Changed);
        Assert.Equal(" 서울 ", evaluation.Values["name"].GetString());
    }

    [Fact]
    public void Number_format_turns_a_number_imported_as_text_into_a_json_number()
    {
        var rule = new NumberFormatRule { Id = "n", Field = "amount", Mode = RuleMode.Fix };

        var evaluation = Evaluate(rule, """{"amount": "1,234.50"}""");

        Assert.Equal(JsonValueKind.Number, evaluation.Values["amount"].ValueKind);
        Assert.Equal(1234.5, evaluation.Values["amount"].GetDouble());
        Assert.True(Evaluate(rule, """{"amount": 1234.5}""").Clean);
        Assert.Equal("'12,34' does not read as a number.", Single(Evaluate(rule, """{"amount": "12,34"}""")).Reason);
    }

    [Fact]
    public void Number_format_writes_text_numbers_plainly_with_full_width_digits_and_decimal_commas()
    {
        var rule = new NumberFormatRule { Id = "n", Field = "name", Mode = RuleMode.Fix };

        Assert.Equal("1234.5", Single(Evaluate(rule, """{"name": "１,２３４.５０"}""")).After!.Value.GetString());
        Assert.Equal("1234.5", Single(Evaluate(rule with { DecimalComma = true }, """{"name": "1.234,5"}""")).After!.Value.GetString());
        Assert.True(Evaluate(rule, """{"name": "-0.25"}""").Clean);
    }

    [Theory]
    [InlineData("1,234.50", false, 1234.5)]
    [InlineData("1 234 567", false, 1234567)]
    [InlineData("-12", false, -12)]
    [InlineData("1.234.567,8", true, 1234567.8)]
    [InlineData("＋４２", false, 42)]
    public void Numbers_read_with_grouping(string text, bool decimalComma, double expected)
    {
        Assert.True(TextForms.TryReadNumber(text, decimalComma, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1,23")]
    [InlineData("12,345,67")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1,234,")]
    public void Not_numbers(string text)
    {
        Assert.False(TextForms.TryReadNumber(text, decimalComma: false, out _));
    }

    [Theory]
    [InlineData("2024.3.5")]
    [InlineData("2024. 3. 5.")]
    [InlineData("2024/03/05")]
    [InlineData("2024-3-5")]
    [InlineData("20240305")]
    [InlineData("2024년 3월 5일")]
    [InlineData("2024年3月5日")]
    [InlineData("２０２４년 ３월 ５일")]
    [InlineData("5 March 2024")]
    [InlineData("5 Mar. 2024")]
    [InlineData("March 5, 2024")]
    [InlineData("Mar 5th 2024")]
    [InlineData("05/03/2024")]
    public void Dates_read_in_common_forms(string text)
    {
        Assert.Equal(TextForms.DateReading.Read, TextForms.TryReadDate(text, DayMonthOrder.DayFirst, out var date));
        Assert.Equal(new DateOnly(2024, 3, 5), date);
    }

    [Fact]
    public void A_numeric_date_with_the_year_last_is_ambiguous_without_an_order_unless_one_part_is_above_12()
    {
        Assert.Equal(TextForms.DateReading.Ambiguous, TextForms.TryReadDate("05/03/2024", DayMonthOrder.Unknown, out _));
        Assert.Equal(TextForms.DateReading.Read, TextForms.TryReadDate("03/05/2024", DayMonthOrder.MonthFirst, out var monthFirst));
        Assert.Equal(new DateOnly(2024, 3, 5), monthFirst);
        Assert.Equal(TextForms.DateReading.Read, TextForms.TryReadDate("25/12/2024", DayMonthOrder.Unknown, out var christmas));
        Assert.Equal(new DateOnly(2024, 12, 25), christmas);
        Assert.Equal(TextForms.DateReading.NotADate, TextForms.TryReadDate("2024-02-30", DayMonthOrder.Unknown, out _));
        Assert.Equal(TextForms.DateReading.NotADate, TextForms.TryReadDate("지난주", DayMonthOrder.Unknown, out _));
    }

    [Fact]
    public void Date_format_fixes_date_fields_imported_in_other_forms_and_dates_in_text()
    {
        var onDate = new DateFormatRule { Id = "d", Field = "date", Mode = RuleMode.Fix };
        var onText = onDate with { Field = "name" };

        Assert.Equal("2024-03-05", Evaluate(onDate, """{"date": "2024년 3월 5일"}""").Values["date"].GetString());
        Assert.True(Evaluate(onDate, """{"date": "2024-03-05"}""").Clean);
        Assert.Equal("2024-03-05", Evaluate(onText, """{"name": "5 March 2024"}""").Values["name"].GetString());
        Assert.Equal("'05/03/2024' could be day-month or month-day; set the rule's order.", Single(Evaluate(onDate, """{"date": "05/03/2024"}""")).Reason);
        Assert.Equal("'어제' does not read as a date.", Single(Evaluate(onText, """{"name": "어제"}""")).Reason);
    }

    private static CleansingRule Rule(string kind, RuleMode mode) => kind switch
    {
        "trim" => new TrimRule { Id = kind, Field = "name", Mode = mode },
        "collapse_whitespace" => new CollapseWhitespaceRule { Id = kind, Field = "name", Mode = mode },
        "full_width_to_half_width" => new FullWidthToHalfWidthRule { Id = kind, Field = "name", Mode = mode },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
