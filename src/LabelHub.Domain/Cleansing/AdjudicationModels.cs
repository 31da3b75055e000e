using System.Text.Json;
using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Cleansing;

/// <summary>Open findings of one source and the items they are on.</summary>
public sealed record AdjudicationSourceCount(FindingSource Source, int Findings, int Items);

/// <summary>What waits in the adjudication queue: open findings and items, per source in the queue's order.</summary>
public sealed record AdjudicationQueueSummary(int OpenFindings, int OpenItems, IReadOnlyList<AdjudicationSourceCount> BySource);

/// <summary>
/// One finding as the reviewer reads it. <see cref="AnnotatorId"/> and <see cref="FlaggedVersion"/> say whose answer and
/// which version it was raised on (null for a finding about the whole item); <see cref="AnswerChanged"/> when that answer
/// has a newer version since. <see cref="DuplicateGroupId"/> links a duplicate finding to its group.
/// </summary>
public sealed record FindingView(
    long Id, long RunId, long ItemId, long? AnnotationId, Guid? AnnotatorId, int? FlaggedVersion, bool AnswerChanged, string? Field,
    FindingSource Source, string Code, string Reason, JsonElement? Suggestion, double Score, FindingState State,
    string? ResolvedByName, DateTimeOffset? ResolvedAt, long? ResultAnnotationId, DateTimeOffset CreatedAt, long? DuplicateGroupId);

/// <param name="NextAfter">Where the next page starts (a finding id); null at the end.</param>
public sealed record FindingPage(IReadOnlyList<FindingView> Findings, long? NextAfter);

/// <summary>One current answer to the item: its annotator, which version it is, why and by whom that version was written.</summary>
public sealed record AdjudicationAnswer(
    long AnnotationId, Guid AnnotatorId, string AnnotatorName, int Version, AnnotationReason Reason, string AuthorName, string? Comment,
    ReviewStatus ReviewStatus, Dictionary<string, JsonElement> Values, DateTimeOffset CreatedAt);

/// <summary>
/// An item of the queue: its data, every current answer, the open findings in the queue's order and the decided ones
/// (newest first). <see cref="ClaimedUntil"/> is set when the item was handed to the caller by "next".
/// </summary>
public sealed record AdjudicationItem(
    long ItemId, Dictionary<string, JsonElement> ItemData, IReadOnlyList<AdjudicationAnswer> Answers,
    IReadOnlyList<FindingView> Open, IReadOnlyList<FindingView> Decided, DateTimeOffset? ClaimedUntil);

/// <summary>The next item to adjudicate (null when nothing is left for the caller) and what remains.</summary>
public sealed record AdjudicationNext(AdjudicationItem? Item, AdjudicationQueueSummary Summary);

/// <summary>A reviewer's own answer instead of the suggestion.</summary>
/// <param name="AnnotationId">The answer to correct (any of its versions; the current one gets the new version); left out, the finding's.</param>
/// <param name="Values">The whole answer, checked against the schema.</param>
/// <param name="Note">Why, added to the version's comment.</param>
public sealed record CorrectFindingRequest(long? AnnotationId, Dictionary<string, JsonElement>? Values, string? Note = null);

/// <param name="Note">Why the answer stays as it is; kept with the finding's reason.</param>
public sealed record DismissFindingRequest(string? Note = null);

/// <summary>What a decision did: the finding's new state and the answer versions it wrote (none for a dismissal).</summary>
public sealed record FindingDecision(long FindingId, FindingState State, IReadOnlyList<long> WrittenAnnotationIds);

/// <summary>The version a restore wrote: the answer's values as they were in <see cref="RestoredVersion"/>.</summary>
public sealed record RestoreResult(long AnnotationId, int Version, int RestoredVersion);
