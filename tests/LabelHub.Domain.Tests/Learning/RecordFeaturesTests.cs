using System.Text.Json;
using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>Record features: kinds decided from the fit set, standardisation worked out by hand, hashed values, and a lossless save.</summary>
public sealed class RecordFeaturesTests
{
    private static readonly HashSet<string> SkipId = ["id"];

    private static Dictionary<string, JsonElement> Item(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    // age: 20, 30, "40" and one null → numbers 20, 30, 40: mean 30, population sd √((100 + 0 + 100) / 3) = 8.164966.
    private static readonly Dictionary<string, JsonElement>[] Training =
    [
        Item("""{"id": 1, "age": 20, "city": "Seoul", "vip": true, "size": 5}"""),
        Item("""{"id": 2, "age": 30, "city": "Busan", "vip": false, "size": 5}"""),
        Item("""{"id": 3, "age": "40", "city": "Seoul", "size": 5}"""),
        Item("""{"id": 4, "age": null, "city": "Seoul", "vip": "TRUE", "size": 5}"""),
    ];

    private static readonly RecordFeatures Fitted = RecordFeatures.Fit(Training, SkipId, hashBuckets: 64);

    private static float[] Encode(RecordFeatures features, Dictionary<string, JsonElement> item)
    {
        var vector = new float[features.Dimension];
        features.Encode(item, vector);
        return vector;
    }

    [Fact]
    public void Field_kinds_and_moments_come_from_the_fit_set()
    {
        Assert.Equal(
        [
            new RecordField("age", RecordFieldKind.Number, 30, Math.Sqrt(200.0 / 3)),
            new RecordField("city", RecordFieldKind.Hashed),
            // Always 5: sd 0 becomes 1, so values are just shifted.
            new RecordField("size", RecordFieldKind.Number, 5, 1),
            new RecordField("vip", RecordFieldKind.Boolean),
        ], Fitted.Fields);
        // age, size and vip: two slots each, then the buckets.
        Assert.Equal(6 + 64, Fitted.Dimension);
    }

    [Fact]
    public void Numbers_are_standardised_and_missing_ones_flagged()
    {
        // Slots: age (0, 1), size (2, 3), vip (4, 5).
        var first = Encode(Fitted, Training[0]);
        var missingAge = Encode(Fitted, Training[3]);
        var unseen = Encode(Fitted, Item("""{"age": 45, "size": 7.5}"""));

        // (20 − 30) / 8.164966 = −1.224745
        Assert.Equal([-1.224745f, 0, 0, 0, 1, 0], first[..6], (x, y) => Math.Abs(x - y) < 1e-5);
        Assert.Equal([0f, 1], missingAge[..2]);
        // (45 − 30) / 8.164966 = 1.837117; (7.5 − 5) / 1; vip absent.
        Assert.Equal([1.837117f, 0, 2.5f, 0, 0, 1], unseen[..6], (x, y) => Math.Abs(x - y) < 1e-5);
    }

    [Fact]
    public void A_value_of_the_wrong_kind_is_encoded_as_missing()
    {
        var vector = Encode(Fitted, Item("""{"age": "unknown", "size": "", "vip": 3}"""));

        Assert.Equal([0f, 1, 0, 1, 0, 1], vector[..6]);
    }

    [Fact]
    public void Strings_are_one_signed_hashed_bucket_per_field_and_value()
    {
        var seoul = Encode(Fitted, Item("""{"city": "Seoul"}"""))[6..];
        var seoulAgain = Encode(Fitted, Training[2])[6..];
        var busan = Encode(Fitted, Item("""{"city": "Busan"}"""))[6..];
        var unseen = Encode(Fitted, Item("""{"city": "Daegu"}"""))[6..];

        Assert.Equal(seoul, seoulAgain);
        Assert.NotEqual(seoul, busan);
        foreach (var buckets in new[] { seoul, busan, unseen })
        {
            Assert.Equal([1f], buckets.Where(v => v != 0).Select(Math.Abs));
        }
    }

    [Fact]
    public void Mixed_and_nested_fields_are_hashed_leaf_by_leaf()
    {
        var features = RecordFeatures.Fit(
        [
            Item("""{"code": 12, "tags": ["red", "big"]}"""),
            Item("""{"code": "A7", "tags": []}"""),
        ], new HashSet<string>(), hashBuckets: 4096);

        Assert.All(features.Fields, f => Assert.Equal(RecordFieldKind.Hashed, f.Kind));
        var tags = Encode(features, Item("""{"tags": ["red", "big"]}"""));
        // Two leaves, each weighed 1/√2 so the list counts as much as one value.
        Assert.Equal(2, tags.Count(v => v != 0));
        Assert.All(tags.Where(v => v != 0), v => Assert.Equal(1 / Math.Sqrt(2), Math.Abs(v), 1e-6));
        // The number 12 and the string "12" are the same category.
        Assert.Equal(Encode(features, Item("""{"code": 12}""")), Encode(features, Item("""{"code": "12"}""")));
    }

    [Fact]
    public void Skipped_and_unknown_fields_change_nothing()
    {
        var withId = Encode(Fitted, Training[0]);
        var otherId = new Dictionary<string, JsonElement>(Training[0]) { ["id"] = JsonSerializer.SerializeToElement(999), ["note"] = JsonSerializer.SerializeToElement("x") };

        Assert.Equal(withId, Encode(Fitted, otherId));
        Assert.DoesNotContain(Fitted.Fields, f => f.Name == "id");
    }

    [Fact]
    public void The_saved_encoder_encodes_exactly_like_the_fitted_one()
    {
        var json = Fitted.ToJson();
        var restored = RecordFeatures.FromJson(json);
        var unseen = Item("""{"age": 31.5, "city": "Jeju", "vip": false, "size": 1}""");

        Assert.Equal(Fitted.Dimension, restored.Dimension);
        Assert.Equal(Fitted.Fields, restored.Fields);
        foreach (var item in Training.Append(unseen))
        {
            Assert.Equal(Encode(Fitted, item), Encode(restored, item));
        }
        Assert.Equal(json, restored.ToJson());
    }

    [Fact]
    public void A_damaged_save_is_refused()
    {
        Assert.Throws<FormatException>(() => RecordFeatures.FromJson("""{"format": "something-else", "hashBuckets": 8, "fields": []}"""));
        Assert.Throws<FormatException>(() => RecordFeatures.FromJson(
            """{"format": "labelhub.record-features/1", "hashBuckets": 8, "fields": [{"name": "x", "kind": "number", "mean": 0, "standardDeviation": 0}]}"""));
        Assert.Throws<FormatException>(() => RecordFeatures.FromJson("""{"format": "labelhub.record-features/1", "hashBuckets": 0, "fields": []}"""));
    }

    [Fact]
    public void The_field_order_of_an_item_does_not_change_its_vector()
    {
        var reordered = Item("""{"size": 5, "vip": true, "city": "Seoul", "age": 20, "id": 1}""");

        Assert.Equal(Encode(Fitted, Training[0]), Encode(Fitted, reordered));
    }
}
