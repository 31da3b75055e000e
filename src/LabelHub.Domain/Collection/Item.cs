using System.Text.Json;

namespace LabelHub.Domain.Collection;

public class Item
{
    /// <summary>
    /// The taken slots of an item whose import is still running: far above any overlap, so the distributor never hands
    /// it out, and the query filter on items hides it from every other read until the import reveals it (ADR 0014).
    /// </summary>
    public const int PendingSlots = 1 << 20;

    public long Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The item's key/values: {"text": "..."} for a text item, any keys for a record.</summary>
    public Dictionary<string, JsonElement> Data { get; set; } = [];

    /// <summary>SHA-256 of the canonical data, for exact-duplicate detection.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>The import job that created the item; a re-run of that job replaces exactly these rows.</summary>
    public Guid? ImportJobRunId { get; set; }

    /// <summary>1-based line of the item in its import file.</summary>
    public int? SourceLine { get; set; }

    /// <summary>Slots taken: live leases plus submitted annotations. Never exceeds the project's overlap.</summary>
    public int TakenSlots { get; set; }
    public int SubmittedCount { get; set; }

    /// <summary>Higher comes first among equally full items; the active-learning job writes its uncertainty here.</summary>
    public double Priority { get; set; }

    /// <summary>A gold (honeypot) item: mixed into queues at the project's gold rate, its answer hidden from annotators.</summary>
    public bool IsGold { get; set; }

    /// <summary>The correct answer of a gold item, keyed by field name; empty otherwise.</summary>
    public Dictionary<string, JsonElement> GoldAnswer { get; set; } = [];
    /// <summary>
    /// Set when a manager kept another item of this item's duplicate group (ADR 0019, 4): the item stays, with its
    /// answers, but is no longer handed out and releases leave it out.
    /// </summary>
    public long? DuplicateOfItemId { get; set; }

    /// <summary>
    /// Set on an item a generator made (issue 16): which generator. It goes to annotators like any item, with
    /// <see cref="SyntheticLabel"/> as the suggestion they confirm or reject; releases leave it out unless asked to
    /// include validated synthetic items.
    /// </summary>
    public Guid? SyntheticGeneratorId { get; set; }

    /// <summary>The class the generator was asked for.</summary>
    public string? SyntheticLabel { get; set; }

    /// <summary>The noise seed that, with the generator's weights and the class, reproduces the image.</summary>
    public long? SyntheticSeed { get; set; }

    /// <summary>The source the item came from (issue 17); null for items imported before sources were recorded.</summary>
    public long? SourceId { get; set; }

    /// <summary>
    /// The item's text as the data manager searches it: the "text" value, or a record's string values one per line;
    /// null for an image item with no text. Written when the item is made; the search index lives beside the item
    /// (<see cref="ItemSearchIndex"/>) so that leases, which rewrite every index of the row, do not rewrite it.
    /// </summary>
    public string? SearchText { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The data manager's sort columns (agreement, prediction score, …), kept off this row; see <see cref="ItemStats"/>.</summary>
    public ItemStats? Stats { get; set; }
}
