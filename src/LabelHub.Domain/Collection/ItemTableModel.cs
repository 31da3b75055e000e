using System.Text.Json;

namespace LabelHub.Domain.Collection;

/// <summary>Where an item stands in labeling, as the data manager filters it.</summary>
public enum ItemStatus
{
    /// <summary>No answer yet and nobody holding it.</summary>
    Unlabeled,

    /// <summary>Some answers or a live lease, and slots left.</summary>
    InProgress,

    /// <summary>Every slot used by an answer and none merely reserved.</summary>
    Completed,
}

/// <summary>The columns the data manager sorts by; every sort ends with the item id so keyset paging is exact.</summary>
public enum ItemSortColumn
{
    Id,
    CreatedAt,
    Priority,
    SubmittedCount,
    Agreement,
    PredictionScore,
    Source,
}

/// <summary>
/// What the data manager's table and <c>GET /items</c> filter by (issue 17); null or empty members do not filter.
/// Every member narrows the result (AND); lists match any of their values (OR).
/// </summary>
public sealed record ItemFilter
{
    public IReadOnlyList<ItemStatus> Statuses { get; init; } = [];

    /// <summary>With <see cref="Label"/>: items some current answer gives this label in this field.</summary>
    public string? Field { get; init; }
    public string? Label { get; init; }

    /// <summary>Items this person has a current answer for.</summary>
    public Guid? AnnotatorId { get; init; }

    /// <summary>Items whose agreement (share of agreeing answer pairs, 0 to 1) is below this; items with fewer than two answers have none and never match.</summary>
    public double? AgreementBelow { get; init; }
    public bool? Gold { get; init; }
    public bool? HasPrediction { get; init; }

    /// <summary>The newest prediction's score lies in [min, max].</summary>
    public double? ScoreMin { get; init; }
    public double? ScoreMax { get; init; }
    public IReadOnlyList<long> SourceIds { get; init; } = [];
    public bool? Synthetic { get; init; }

    /// <summary>Items release number <see cref="ReleaseNumber"/> holds, in <see cref="Split"/> when given ("train", "validation", "test").</summary>
    public int? ReleaseNumber { get; init; }
    public string? Split { get; init; }

    /// <summary>Items with an open cleansing finding (true) or none (false).</summary>
    public bool? Flagged { get; init; }

    /// <summary>Words or a phrase to find in the item's text (case-insensitive substring).</summary>
    public string? Search { get; init; }
}

public sealed record ItemSort(ItemSortColumn Column = ItemSortColumn.Id, bool Descending = false);

/// <summary>One row of the data manager's table.</summary>
/// <param name="Preview">The start of the item's text (or its image key's value) for the table.</param>
/// <param name="SyntheticLabel">The class a generator made it for; null for a real item.</param>
/// <param name="Agreement">Share of agreeing answer pairs; null with fewer than two answers.</param>
/// <param name="PredictionScore">The newest prediction's score; null without one.</param>
public sealed record ItemRow(
    long Id,
    Dictionary<string, JsonElement> Data,
    string Preview,
    ItemStatus Status,
    int SubmittedCount,
    int TakenSlots,
    double Priority,
    bool IsGold,
    long? SourceId,
    string? SourceName,
    string? SyntheticLabel,
    double? Agreement,
    double? PredictionScore,
    bool Flagged,
    int? SourceLine,
    DateTimeOffset CreatedAt);

/// <param name="Next">The cursor of the next page (pass it as <c>after</c>); null on the last page.</param>
public sealed record ItemTablePage(IReadOnlyList<ItemRow> Items, string? Next);
