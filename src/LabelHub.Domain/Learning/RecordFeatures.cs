using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabelHub.Domain.Learning;

/// <summary>How <see cref="RecordFeatures"/> encodes one field.</summary>
public enum RecordFieldKind
{
    /// <summary>Every value seen was a number or a numeric string: standardised, plus a missing indicator.</summary>
    Number,

    /// <summary>Every value seen was true or false (or the strings "true"/"false"): 0/1, plus a missing indicator.</summary>
    Boolean,

    /// <summary>Anything else (text, mixed values, objects, arrays): values hashed into the shared buckets.</summary>
    Hashed,
}

/// <param name="Mean">For numbers: the fit set's mean.</param>
/// <param name="StandardDeviation">For numbers: the fit set's (population) standard deviation, 1 when it was 0.</param>
public sealed record RecordField(string Name, RecordFieldKind Kind, double Mean = 0, double StandardDeviation = 1);

/// <summary>
/// Records (an item's data fields) as a fixed-length vector for an MLP. Numbers and booleans get two slots each
/// (the value, and 1 when it is missing), in field-name order; every other value is hashed with its field name into
/// <see cref="HashBuckets"/> shared buckets after them, so categories need no vocabulary and unseen values just
/// land in some bucket. Fields not seen when fitting (or skipped) are ignored. Thread-safe once built.
/// </summary>
public sealed class RecordFeatures
{
    /// <summary>A nested object or array contributes at most this many leaves, so one huge value cannot stall encoding.</summary>
    public const int MaxLeavesPerField = 256;

    private const string Format = "labelhub.record-features/1";
    private const uint HashSeed = 0x5eed_f00d;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private readonly RecordField[] fields;
    // Per field: its first dense slot (value; the missing indicator follows), or -1 for hashed fields.
    private readonly int[] denseSlot;
    private readonly uint[] fieldHash;

    private RecordFeatures(IEnumerable<RecordField> fields, int hashBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashBuckets, 1);
        this.fields = [.. fields.OrderBy(f => f.Name, StringComparer.Ordinal)];
        denseSlot = new int[this.fields.Length];
        fieldHash = new uint[this.fields.Length];
        var slots = 0;
        for (var i = 0; i < this.fields.Length; i++)
        {
            var field = this.fields[i];
            if (i > 0 && string.Equals(this.fields[i - 1].Name, field.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The field \"{field.Name}\" is listed twice.", nameof(fields));
            }
            if (field.Kind == RecordFieldKind.Number && !(double.IsFinite(field.Mean) && double.IsFinite(field.StandardDeviation) && field.StandardDeviation > 0))
            {
                throw new ArgumentException($"The field \"{field.Name}\" needs a finite mean and a positive standard deviation.", nameof(fields));
            }
            denseSlot[i] = field.Kind == RecordFieldKind.Hashed ? -1 : slots;
            slots += field.Kind == RecordFieldKind.Hashed ? 0 : 2;
            fieldHash[i] = StableHash.Murmur3(field.Name, HashSeed);
        }
        HashBuckets = hashBuckets;
        Dimension = slots + hashBuckets;
    }

    public int Dimension { get; }

    public int HashBuckets { get; }

    /// <summary>The fields encoded, by name (ordinal).</summary>
    public IReadOnlyList<RecordField> Fields => fields;

    /// <summary>Decides each field's kind and the numbers' mean and standard deviation from the training items.</summary>
    /// <param name="skipFields">Fields that must not become features (the item's id, an image key, the label itself).</param>
    public static RecordFeatures Fit(IEnumerable<IReadOnlyDictionary<string, JsonElement>> items, IReadOnlySet<string> skipFields, int hashBuckets = 1024)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(skipFields);
        ArgumentOutOfRangeException.ThrowIfLessThan(hashBuckets, 1);
        var tallies = new Dictionary<string, FieldTally>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            foreach (var (name, value) in item)
            {
                if (skipFields.Contains(name))
                {
                    continue;
                }
                if (!tallies.TryGetValue(name, out var tally))
                {
                    tallies[name] = tally = new FieldTally();
                }
                tally.Add(value);
            }
        }
        return new RecordFeatures(tallies.Select(t => t.Value.ToField(t.Key)), hashBuckets);
    }

    /// <summary>Fills <paramref name="destination"/> (length <see cref="Dimension"/>); the same data always gives the same vector.</summary>
    public void Encode(IReadOnlyDictionary<string, JsonElement> item, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values, not {Dimension}.", nameof(destination));
        }
        destination.Clear();
        var buckets = destination[(Dimension - HashBuckets)..];
        // In field order rather than the dictionary's, so sums (and so the vector) do not depend on key order.
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            var present = item.TryGetValue(field.Name, out var value);
            var dense = field.Kind switch
            {
                RecordFieldKind.Number => present ? Standardised(value, field) : null,
                RecordFieldKind.Boolean => present && AsBoolean(value) is { } flag ? (flag ? 1f : 0f) : null,
                RecordFieldKind.Hashed => (float?)null,
            };
            if (denseSlot[i] >= 0)
            {
                SetDense(destination, denseSlot[i], dense);
            }
            else if (present)
            {
                AddHashed(buckets, fieldHash[i], value);
            }
        }
    }

    /// <summary>The fitted encoder as JSON, to store with a trained model so new items are encoded the same way.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(new Stored(Format, HashBuckets, [.. fields.Select(f => new StoredField(f.Name, f.Kind, f.Mean, f.StandardDeviation))]), JsonOptions);

    public static RecordFeatures FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var stored = JsonSerializer.Deserialize<Stored>(json, JsonOptions);
        if (stored is null || !string.Equals(stored.Format, Format, StringComparison.Ordinal) || stored.Fields is null)
        {
            throw new FormatException($"This is not a record encoder saved as {Format}.");
        }
        try
        {
            return new RecordFeatures(stored.Fields.Select(f => new RecordField(f.Name ?? throw new FormatException("A stored field has no name."), f.Kind, f.Mean, f.StandardDeviation)), stored.HashBuckets);
        }
        catch (ArgumentException invalid)
        {
            throw new FormatException($"The stored record encoder is invalid: {invalid.Message}", invalid);
        }
    }

    private static void SetDense(Span<float> destination, int slot, float? value)
    {
        destination[slot] = value ?? 0;
        destination[slot + 1] = value is null ? 1 : 0;
    }

    /// <summary>(x − mean) / sd, or null when the value is missing or not a number (encoded as missing).</summary>
    private static float? Standardised(JsonElement value, RecordField field)
    {
        if (AsNumber(value) is not { } number)
        {
            return null;
        }
        var standardised = (float)((number - field.Mean) / field.StandardDeviation);
        return float.IsFinite(standardised) ? standardised : null;
    }

    private static bool IsMissing(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()));

    private static double? AsNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null,
        JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? parsed : null,
        JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => null,
    };

    private static bool? AsBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when string.Equals(value.GetString()?.Trim(), "true", StringComparison.OrdinalIgnoreCase) => true,
        JsonValueKind.String when string.Equals(value.GetString()?.Trim(), "false", StringComparison.OrdinalIgnoreCase) => false,
        JsonValueKind.String or JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Number or JsonValueKind.Null => null,
    };

    /// <summary>
    /// A scalar adds ±1 to the bucket of (field, value). An object or array adds each scalar leaf with its path
    /// (e.g. "size.unit", "tags[]"), scaled by 1/√leaves so one long list weighs no more than one value.
    /// </summary>
    private static void AddHashed(Span<float> buckets, uint fieldHash, JsonElement value)
    {
        if (IsMissing(value))
        {
            return;
        }
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            TextHashingFeatures.AddSigned(buckets, StableHash.Murmur3(ScalarText(value), fieldHash), 1);
            return;
        }
        var leaves = new List<uint>();
        CollectLeaves(value, "", fieldHash, leaves);
        var weight = leaves.Count == 0 ? 0 : 1 / MathF.Sqrt(leaves.Count);
        foreach (var leaf in leaves)
        {
            TextHashingFeatures.AddSigned(buckets, leaf, weight);
        }
    }

    private static void CollectLeaves(JsonElement value, string path, uint fieldHash, List<uint> leaves)
    {
        if (leaves.Count >= MaxLeavesPerField)
        {
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    CollectLeaves(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, fieldHash, leaves);
                }
                break;
            case JsonValueKind.Array:
                foreach (var element in value.EnumerateArray())
                {
                    CollectLeaves(element, path + "[]", fieldHash, leaves);
                }
                break;
            case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                if (!IsMissing(value))
                {
                    leaves.Add(StableHash.Murmur3(ScalarText(value), StableHash.Murmur3(path, fieldHash)));
                }
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
        }
    }

    /// <summary>A string's value, or the JSON text of a number or boolean (so 3 and "3" are the same category).</summary>
    private static string ScalarText(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>What one field's values were across the fit set; the numbers' moments by Welford's method.</summary>
    private sealed class FieldTally
    {
        private long numbers;
        private double mean;
        private double squaredDeviations;
        private bool booleans;
        private bool others;

        public void Add(JsonElement value)
        {
            if (IsMissing(value))
            {
                return;
            }
            if (AsNumber(value) is { } number)
            {
                numbers++;
                var delta = number - mean;
                mean += delta / numbers;
                squaredDeviations += delta * (number - mean);
            }
            else if (AsBoolean(value) is not null)
            {
                booleans = true;
            }
            else
            {
                others = true;
            }
        }

        public RecordField ToField(string name)
        {
            if (others || (numbers > 0 && booleans) || (numbers == 0 && !booleans))
            {
                return new RecordField(name, RecordFieldKind.Hashed);
            }
            if (booleans)
            {
                return new RecordField(name, RecordFieldKind.Boolean);
            }
            var deviation = Math.Sqrt(squaredDeviations / numbers);
            return new RecordField(name, RecordFieldKind.Number, mean, deviation > 0 && double.IsFinite(deviation) ? deviation : 1);
        }
    }

    private sealed record Stored(string? Format, int HashBuckets, StoredField[]? Fields);

    private sealed record StoredField(string? Name, RecordFieldKind Kind, double Mean, double StandardDeviation);
}
