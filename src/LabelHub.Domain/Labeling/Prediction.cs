using System.Text.Json;

namespace LabelHub.Domain.Labeling;

/// <summary>A model's proposed answer for an item, shown to annotators as a pre-filled suggestion.</summary>
public class Prediction
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long ItemId { get; set; }
    public string ModelVersion { get; set; } = "";

    /// <summary>The model's confidence, 0 to 1.</summary>
    public double? Score { get; set; }
    public Dictionary<string, JsonElement> Values { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}
