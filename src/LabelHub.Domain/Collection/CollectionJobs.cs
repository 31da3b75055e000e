using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Collection;

/// <summary>The jobs of the Collection stage.</summary>
public static class CollectionJobs
{
    /// <summary>Turns an uploaded file (items, an image or a ZIP of images) into items: <see cref="ItemImporter"/>.</summary>
    public static readonly JobContract<ImportParameters, ImportResult> Import = new("import");
}

public sealed record ImportParameters(Guid FileId, string FileName, ItemFileFormat Format);

/// <summary>
/// What an import leaves in its JobRun. One record describes both outcomes; the other outcome's members are null
/// and left out of the JSON, so each keeps the shape API clients read: a success is
/// <c>{"imported", "duplicatesSkipped", "duplicateLines"}</c>, a failure <c>{"errors", "totalErrors"}</c>.
/// </summary>
public sealed record ImportResult
{
    /// <summary>At most this many duplicate lines are listed.</summary>
    public const int MaxDuplicateLinesListed = 1000;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Imported { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DuplicatesSkipped { get; init; }

    /// <summary>The lines (or archive entries) of the first skipped duplicates.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? DuplicateLines { get; init; }

    /// <summary>A failed import's bad rows (or archive entries), each with its line.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ImportRowError>? Errors { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalErrors { get; init; }

    /// <summary>Whether this is a failure that names bad rows (a crashed import names none).</summary>
    [JsonIgnore]
    [MemberNotNullWhen(true, nameof(Errors))]
    public bool HasBadRows => Errors is { Count: > 0 };

    public static ImportResult Success(int imported, IReadOnlyList<int> duplicateLines) => new()
    {
        Imported = imported,
        DuplicatesSkipped = duplicateLines.Count,
        DuplicateLines = [.. duplicateLines.Take(MaxDuplicateLinesListed)],
    };

    public static ImportResult Failure(IReadOnlyList<ImportRowError> errors, int? totalErrors = null) => new()
    {
        Errors = errors,
        TotalErrors = totalErrors ?? errors.Count,
    };
}
