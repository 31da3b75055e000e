using System.Text.Json.Serialization;

namespace LabelHub.Domain.Releases;

/// <summary>How new units are given a split (ADR 0020 § Splits).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SplitMode>))]
public enum SplitMode
{
    /// <summary>A unit goes to the split whose cumulative ratio range holds its u.</summary>
    Random,

    /// <summary>Per label, units in u order go to the split furthest below its target share for that label.</summary>
    Stratified,
}

/// <summary>Which items must share a split: the unit the planner places.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SplitGrouping>))]
public enum SplitGrouping
{
    /// <summary>Every item is a unit of its own.</summary>
    None,

    /// <summary>The near-duplicate groups cleansing found: a group's items stay together.</summary>
    DuplicateGroups,

    /// <summary>Items with the same value of a data key (patient, document) stay together.</summary>
    DataKey,
}

/// <summary>
/// The first byte after the seed in the hash input of a unit (docs/releases/splits.md), so an item alone, a duplicate
/// group and a data-key group with the same 64-bit key are still different units.
/// </summary>
public enum SplitUnitKind : byte
{
    /// <summary>An item alone; the key is its id.</summary>
    Item = (byte)'i',

    /// <summary>A duplicate group; the key is the group key the caller gives.</summary>
    DuplicateGroup = (byte)'d',

    /// <summary>A data-key group; the key is <see cref="SplitPlanner.DataKeyGroup"/> of the key's value.</summary>
    DataKey = (byte)'k',
}

/// <summary>
/// What a release's splits are cut with; stored with the release, so it is plain data. Check it with
/// <see cref="SplitPlanner.Validate"/>.
/// </summary>
public sealed record SplitSettings
{
    /// <summary>train 0.8, validation 0.1, test 0.1.</summary>
    public static readonly IReadOnlyDictionary<string, double> DefaultRatios = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [SplitNames.Train] = 0.8,
        [SplitNames.Validation] = 0.1,
        [SplitNames.Test] = 0.1,
    };

    /// <summary>The target share of items per split name (<see cref="SplitNames"/>); a split left out gets 0.</summary>
    public IReadOnlyDictionary<string, double> Ratios { get; init; } = DefaultRatios;

    /// <summary>
    /// Text of 1–100 characters, hashed as its UTF-8 bytes, no normalisation. An integer seed is its decimal digits
    /// ("42"), so a seed typed as a number and one typed as text give the same splits.
    /// </summary>
    public required string Seed { get; init; }

    public SplitMode Mode { get; init; } = SplitMode.Random;

    public SplitGrouping Grouping { get; init; } = SplitGrouping.None;

    /// <summary>The item data key whose values group items; only with <see cref="SplitGrouping.DataKey"/>.</summary>
    public string? GroupKeyName { get; init; }

    /// <summary>
    /// The single-choice field whose labels a stratified split balances (required then); with random splits, the field
    /// whose label balance the plan reports (optional).
    /// </summary>
    public string? LabelField { get; init; }
}

/// <summary>
/// One item as the planner reads it: 32 bytes, no strings, so a million of them fit in 32 MB.
/// </summary>
/// <param name="ItemId">The item's id; unique among the items planned.</param>
/// <param name="GroupKey">
/// Items with equal keys are one unit (ignored when <see cref="SplitSettings.Grouping"/> is None); null = the item alone.
/// Duplicate groups: any long equal for the group's members (the group's smallest item id keeps it independent of the
/// cleansing run's ids). Data key: <see cref="SplitPlanner.DataKeyGroup"/> of the value.
/// </param>
/// <param name="Label">Index of the item's label in the planner's label list, or <see cref="Unlabeled"/>.</param>
/// <param name="PreviousSplit">
/// Index in <see cref="SplitNames.All"/> of the item's split in the previous release, or <see cref="NotInPreviousRelease"/>.
/// </param>
public readonly record struct SplitItem(long ItemId, long? GroupKey, int Label, int PreviousSplit)
{
    public const int Unlabeled = -1;
    public const int NotInPreviousRelease = -1;
}
