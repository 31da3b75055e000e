namespace LabelHub.Domain.Collection;

/// <summary>How the items of a source were obtained (issue 17).</summary>
public enum SourceKind
{
    /// <summary>A file a manager uploaded.</summary>
    Upload,

    /// <summary>Items sent by a program through the API.</summary>
    Api,

    /// <summary>Pages or posts collected by a crawler.</summary>
    Crawl,

    /// <summary>A published dataset (Fashion-MNIST, a Hugging Face set…).</summary>
    OpenDataset,

    /// <summary>Items contributed by crowd workers.</summary>
    Crowd,

    /// <summary>Images a generator of the project made (issue 16).</summary>
    Synthetic,
}

/// <summary>
/// Where a batch of items came from (issue 17): every import records one, and its items carry its id, so the
/// source-balance view can show when one source dominates a label.
/// </summary>
public class ItemSource
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>What the team calls it: "news crawl 2026-11", "Fashion-MNIST train".</summary>
    public string Name { get; set; } = "";
    public SourceKind Kind { get; set; }

    /// <summary>The licence the data comes under ("CC BY 4.0", "proprietary"); empty when unknown.</summary>
    public string Licence { get; set; } = "";

    /// <summary>When the data was collected (not when it was imported); null when unknown.</summary>
    public DateOnly? CollectedOn { get; set; }

    /// <summary>The import job that brought its items, when an import made it.</summary>
    public Guid? ImportJobRunId { get; set; }
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
