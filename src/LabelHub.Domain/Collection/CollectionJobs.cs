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

/// <param name="Source">
/// Where the items come from (issue 17); the import records it as its <see cref="ItemSource"/> and its items carry it.
/// Null in imports started before sources were recorded: then the file name and <see cref="SourceKind.Upload"/>.
/// </param>
public sealed record ImportParameters(
    Guid FileId, string FileName, ItemFileFormat Format, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImportSource? Source = null);

/// <summary>What the person importing says about the items' origin: the <see cref="ItemSource"/> the import records.</summary>
public sealed record ImportSource(string Name, SourceKind Kind, string Licence = "", DateOnly? CollectedOn = null);

/// <summary>
/// What an import leaves in its JobRun. One record describes both outcomes; the other outcome's members are null
/// and left out of the JSON, so each keeps the shape API clients read: a success is
/// <c>{"imported", "duplicatesSkipped", "duplicateLines", "duplicates"}</c>, a failure <c>{"errors", "totalErrors"}</c>.
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

    /// <summary>
    /// The first skipped duplicates (at most <see cref="MaxDuplicateLinesListed"/>, in line order), each with why it was
    /// skipped; <see cref="DuplicatesSkipped"/> counts them all. Null in results stored before it was added.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ImportDuplicate>? Duplicates { get; init; }

    /// <summary>A failed import's bad rows (or archive entries), each with its line.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ImportRowError>? Errors { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalErrors { get; init; }

    /// <summary>What a Label Studio export brought besides its items; null when the file had no Label Studio tasks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LabelStudioImportSummary? LabelStudio { get; init; }

    /// <summary>Whether this is a failure that names bad rows (a crashed import names none).</summary>
    [JsonIgnore]
    [MemberNotNullWhen(true, nameof(Errors))]
    public bool HasBadRows => Errors is { Count: > 0 };

    /// <param name="duplicates">The skipped duplicates in line order, or the first of them (more are not listed).</param>
    /// <param name="duplicatesSkipped">How many were skipped in all; by default as many as are given.</param>
    public static ImportResult Success(int imported, IReadOnlyList<ImportDuplicate> duplicates, int? duplicatesSkipped = null)
    {
        var listed = duplicates.Take(MaxDuplicateLinesListed).ToList();
        return new()
        {
            Imported = imported,
            DuplicatesSkipped = duplicatesSkipped ?? duplicates.Count,
            DuplicateLines = [.. listed.Select(d => d.Line)],
            Duplicates = listed,
        };
    }

    public static ImportResult Failure(IReadOnlyList<ImportRowError> errors, int? totalErrors = null) => new()
    {
        Errors = errors,
        TotalErrors = totalErrors ?? errors.Count,
    };
}

/// <summary>What an import kept from Label Studio tasks.</summary>
/// <param name="Answers">Annotations kept as current answers.</param>
/// <param name="Predictions">Predictions kept.</param>
/// <param name="CancelledSkipped">Cancelled (skipped) annotations, which are not answers.</param>
/// <param name="MatchedAnnotators">Label Studio users matched to members of the project (by e-mail, then user name).</param>
/// <param name="ServiceAccountAnnotators">Label Studio users no member matched, each kept as a service account "ls-…".</param>
public sealed record LabelStudioImportSummary(int Answers, int Predictions, int CancelledSkipped, int MatchedAnnotators, int ServiceAccountAnnotators);

/// <summary>A row (or archive entry) an import skipped because an identical one was already there.</summary>
/// <param name="Line">The skipped row's line (or archive entry).</param>
/// <param name="SameAsLine">The earlier line of the same file it repeats, if that is why.</param>
/// <param name="SameAsItem">The project's item it repeats, if that is why.</param>
/// <param name="Reason">"identical to line N" or "already in the project as item X", in English (localized where shown).</param>
public sealed record ImportDuplicate(int Line, int? SameAsLine, long? SameAsItem, string Reason)
{
    public static ImportDuplicate OfLine(int line, int sameAsLine, string lineNoun) =>
        new(line, sameAsLine, null, lineNoun == "entry" ? $"identical to entry {sameAsLine}" : $"identical to line {sameAsLine}");

    public static ImportDuplicate OfItem(int line, long itemId) => new(line, null, itemId, $"already in the project as item {itemId}");
}
