using System.Text.Json;

namespace LabelHub.Domain.Collection;

public class Item
{
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
    public DateTimeOffset CreatedAt { get; set; }
}
