using System.Text.Json;

namespace LabelHub.Domain.Collection;

/// <summary>
/// What a Label Studio task brings besides its data: its id, its annotations and its predictions, as exported
/// (JSON export: an array of tasks <c>{"id", "data", "annotations", "predictions", "meta", "created_at", …}</c>).
/// The elements are cloned, so they outlive the document they were read from; a missing list is Undefined.
/// </summary>
public sealed record LabelStudioTask(long? TaskId, JsonElement Annotations, JsonElement Predictions)
{
    /// <summary>
    /// The keys Label Studio writes on a task beside <c>data</c> (its JSON and JSON_MIN exports and the task API).
    /// Only an object whose other keys are all among them is taken for a task, so a record that merely has a "data"
    /// column next to columns of its own stays a record.
    /// </summary>
    private static readonly HashSet<string> TaskKeys = new(StringComparer.Ordinal)
    {
        "id", "annotations", "predictions", "meta", "created_at", "updated_at", "inner_id", "total_annotations",
        "cancelled_annotations", "total_predictions", "comment_count", "unresolved_comment_count", "last_comment_updated_at",
        "project", "updated_by", "file_upload", "comment_authors", "drafts", "is_labeled", "overlap", "annotators",
        "annotations_results", "predictions_results", "annotations_ids", "predictions_model_versions", "agreement",
        "storage_filename", "completed_at", "avg_lead_time", "draft_exists", "ground_truth", "predictions_score",
        "annotators_count", "reviewers", "reviewers_count", "reviewed", "allow_skip",
    };

    /// <summary>
    /// Whether the object is a Label Studio task: a "data" object and nothing but task keys beside it. Then
    /// <paramref name="data"/> is that object, and <paramref name="task"/> carries the task's id and lists when it
    /// has any (a bare <c>{"data": …}</c> has none and gives null).
    /// </summary>
    public static bool TryUnwrap(JsonElement element, out JsonElement data, out LabelStudioTask? task)
    {
        data = default;
        task = null;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("data"u8, out var inner) || inner.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        long? id = null;
        var annotations = default(JsonElement);
        var predictions = default(JsonElement);
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("data"u8))
            {
                continue;
            }
            if (!TaskKeys.Contains(property.Name))
            {
                return false;
            }
            if (property.NameEquals("id"u8) && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var taskId))
            {
                id = taskId;
            }
            else if (property.NameEquals("annotations"u8) && property.Value.ValueKind == JsonValueKind.Array)
            {
                annotations = property.Value.Clone();
            }
            else if (property.NameEquals("predictions"u8) && property.Value.ValueKind == JsonValueKind.Array)
            {
                predictions = property.Value.Clone();
            }
        }
        data = inner;
        var hasLists = annotations.ValueKind == JsonValueKind.Array && annotations.GetArrayLength() > 0
            || predictions.ValueKind == JsonValueKind.Array && predictions.GetArrayLength() > 0;
        task = id is not null || hasLists ? new LabelStudioTask(id, annotations, predictions) : null;
        return true;
    }

    /// <summary>How the task is named in messages: by its Label Studio id when it has one.</summary>
    public string Name => TaskId is { } id ? $"task {id}" : "the task";
}
