using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>Answers and readers for the aggregation tests.</summary>
internal static class AggregationInput
{
    public static Guid Annotator(int number) => new($"00000000-0000-0000-0000-{number.ToString("D12", CultureInfo.InvariantCulture)}");

    public static Dictionary<string, JsonElement> Values(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    /// <summary>Annotator n's answer, with annotation id <paramref name="id"/>.</summary>
    public static AggregationAnswer Answer(long id, int annotator, string json, bool adjudicated = false) =>
        new(id, Annotator(annotator), Values(json), adjudicated);

    public static ItemAnswers Item(long itemId, params AggregationAnswer[] answers) => new(itemId, answers);

    public static List<SpanValue> Spans(FinalAnswer answer) => answer.Value.Deserialize<List<SpanValue>>(JsonColumn.Options)!;

    public static List<BoxValue> Boxes(FinalAnswer answer) => answer.Value.Deserialize<List<BoxValue>>(JsonColumn.Options)!;
}
