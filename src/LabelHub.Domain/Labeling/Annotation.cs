using System.Text.Json;

namespace LabelHub.Domain.Labeling;

public enum ReviewStatus
{
    Unreviewed,
    Accepted,
    Rejected,
}

public enum AnnotationReason
{
    Submit,
    Edit,
    ReviewFix,
    Cleansing,
}

/// <summary>
/// One version of one annotator's answer for one item. Versions are never updated or deleted:
/// an edit adds a version and moves <see cref="IsCurrent"/>.
/// </summary>
public class Annotation
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long ItemId { get; set; }

    /// <summary>Whose answer this is (the annotator), whoever wrote this version.</summary>
    public Guid AnnotatorId { get; set; }
    public Guid AuthorId { get; set; }
    public int Version { get; set; }
    public bool IsCurrent { get; set; }
    public AnnotationReason Reason { get; set; }
    public string? Comment { get; set; }

    /// <summary>The answer, keyed by schema field name.</summary>
    public Dictionary<string, JsonElement> Values { get; set; } = [];
    public int? GuidelineVersion { get; set; }
    public int? DurationMs { get; set; }
    public long? AssignmentId { get; set; }

    /// <summary>The model prediction the annotator accepted as their answer, if any.</summary>
    public long? PredictionId { get; set; }
    public ReviewStatus ReviewStatus { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
