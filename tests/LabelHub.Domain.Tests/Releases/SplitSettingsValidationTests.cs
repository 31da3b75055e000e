using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class SplitSettingsValidationTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "animal", Kind = FieldKind.Choice, Labels = ["cat", "dog"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b"] },
        ],
    };

    [Fact]
    public void The_default_settings_with_a_seed_are_valid()
    {
        SplitPlanner.Validate(new SplitSettings { Seed = "42" }, Schema);
        SplitPlanner.Validate(new SplitSettings { Seed = "42", Mode = SplitMode.Stratified, LabelField = "animal", Grouping = SplitGrouping.DataKey, GroupKeyName = "patient" }, Schema);
        // Decimals typed by hand rarely add up to exactly 1 in binary; 1e-9 is allowed.
        SplitPlanner.Validate(new SplitSettings { Seed = "42", Ratios = Ratios(("train", 0.7), ("validation", 0.2), ("test", 0.1)) });
        SplitPlanner.Validate(new SplitSettings { Seed = "42", Ratios = Ratios(("train", 1)) });
    }

    [Theory]
    [InlineData("The split ratios must add up to 1; they add up to 0.9.", "train", 0.8, "test", 0.1)]
    [InlineData("The split ratios must add up to 1; they add up to 1.1.", "train", 1.0, "test", 0.1)]
    [InlineData("'dev' is not a split; the splits are train, validation and test.", "train", 1.0, "dev", 0.0)]
    [InlineData("The ratio of test must be a number from 0 to 1.", "train", 1.1, "test", -0.1)]
    [InlineData("The ratio of test must be a number from 0 to 1.", "train", 1.0, "test", double.NaN)]
    [InlineData("The split ratios must add up to 1; they add up to 0.", "train", 0.0, "test", 0.0)]
    public void Ratios_must_be_splits_between_0_and_1_that_add_up_to_1(string message, string first, double firstRatio, string second, double secondRatio)
    {
        var error = Assert.Throws<ValidationException>(() => SplitPlanner.Validate(new SplitSettings { Seed = "1", Ratios = Ratios((first, firstRatio), (second, secondRatio)) }));
        Assert.Contains(message, error.EnglishErrors["split.ratios"]);
    }

    [Fact]
    public void A_seed_is_needed_and_short()
    {
        Assert.Equal(["A split needs a seed."], Errors(new SplitSettings { Seed = " " })["split.seed"]);
        Assert.Equal(["A split seed has at most 100 characters."], Errors(new SplitSettings { Seed = new string('7', 101) })["split.seed"]);
        SplitPlanner.Validate(new SplitSettings { Seed = new string('7', 100) });
    }

    [Fact]
    public void Grouping_by_a_data_key_names_the_key_and_only_then()
    {
        Assert.Equal(["Grouping by a data key needs the key's name."], Errors(new SplitSettings { Seed = "1", Grouping = SplitGrouping.DataKey })["split.groupBy"]);
        Assert.Equal(["A data key name is only used when grouping by a data key."],
            Errors(new SplitSettings { Seed = "1", Grouping = SplitGrouping.DuplicateGroups, GroupKeyName = "patient" })["split.groupBy"]);
        Assert.Equal(["Items are grouped by nothing, by duplicate groups or by a data key."], Errors(new SplitSettings { Seed = "1", Grouping = (SplitGrouping)7 })["split.groupBy"]);
        Assert.Equal(["A split is random or stratified."], Errors(new SplitSettings { Seed = "1", Mode = (SplitMode)7 })["split.mode"]);
    }

    [Fact]
    public void A_stratified_split_needs_a_single_choice_field()
    {
        Assert.Equal(["A stratified split needs the single-choice field whose labels it balances."],
            Errors(new SplitSettings { Seed = "1", Mode = SplitMode.Stratified })["split.labelField"]);
        Assert.Equal(["'tags' is not a single-choice field of this project."],
            Errors(new SplitSettings { Seed = "1", Mode = SplitMode.Stratified, LabelField = "tags" }, Schema)["split.labelField"]);
        Assert.Equal(["'colour' is not a single-choice field of this project."],
            Errors(new SplitSettings { Seed = "1", LabelField = "colour" }, Schema)["split.labelField"]);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_and_plan_refuses_bad_settings()
    {
        var errors = Errors(new SplitSettings { Seed = "", Ratios = Ratios(("train", 0.5)), Mode = SplitMode.Stratified });
        Assert.Equal(["split.labelField", "split.ratios", "split.seed"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Throws<ValidationException>(() => SplitPlanner.Plan(new SplitSettings { Seed = "" }, [], []));
    }

    [Fact]
    public void Every_validation_message_has_a_korean_text_in_the_catalog()
    {
        string[] messages =
        [
            "The split ratios must add up to 1; they add up to 0.9.", "'dev' is not a split; the splits are train, validation and test.",
            "The ratio of test must be a number from 0 to 1.", "A split needs a seed.", "A split seed has at most 100 characters.",
            "Grouping by a data key needs the key's name.", "A data key name is only used when grouping by a data key.",
            "Items are grouped by nothing, by duplicate groups or by a data key.", "A split is random or stratified.",
            "A stratified split needs the single-choice field whose labels it balances.", "The split ratios must add up to 1.",
        ];
        var korean = System.Globalization.CultureInfo.GetCultureInfo("ko-KR");
        Assert.All(messages, m =>
        {
            Assert.NotNull(ServerMessages.CodeOf(m));
            Assert.NotEqual(m, ServerMessages.Localize(m, korean));
        });
    }

    [Fact]
    public void Settings_round_trip_through_json_with_enums_by_name()
    {
        var settings = new SplitSettings
        {
            Seed = "42",
            Ratios = Ratios(("train", 0.7), ("validation", 0.15), ("test", 0.15)),
            Mode = SplitMode.Stratified,
            Grouping = SplitGrouping.DataKey,
            GroupKeyName = "patient",
            LabelField = "animal",
        };
        var json = JsonSerializer.Serialize(settings, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Contains("\"mode\":\"Stratified\"", json, StringComparison.Ordinal);
        Assert.Contains("\"grouping\":\"DataKey\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<SplitSettings>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(settings.Ratios.OrderBy(r => r.Key, StringComparer.Ordinal), back.Ratios.OrderBy(r => r.Key, StringComparer.Ordinal));
        Assert.Equal(settings with { Ratios = back.Ratios }, back);
    }

    private static IReadOnlyDictionary<string, string[]> Errors(SplitSettings settings, LabelSchema? schema = null) =>
        Assert.Throws<ValidationException>(() => SplitPlanner.Validate(settings, schema)).EnglishErrors;

    private static Dictionary<string, double> Ratios(params (string Name, double Ratio)[] ratios) =>
        ratios.ToDictionary(r => r.Name, r => r.Ratio);
}
