using System.Globalization;
using System.Text.Json;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>
/// The "crowdkit-toy" entry of the published vectors (<see cref="AgreementVectors"/>): the toy
/// YSDA answers of crowd-kit's tests and the majority-vote and Dawid–Skene results crowd-kit publishes for them.
/// </summary>
internal static class CrowdKitToy
{
    public static JsonElement Entry => AgreementVectors.Get("crowdkit-toy");

    /// <summary>The labels in crowd-kit's column order (sorted), which is also the order of "p_no_yes".</summary>
    public static readonly string[] Categories = ["no", "yes"];

    /// <summary>Worker names as stable ids: w1 &lt; w2 &lt; … also as Guids, so annotator order is worker order.</summary>
    public static Guid Worker(string name) => new($"00000000-0000-0000-0000-{int.Parse(name[1..], CultureInfo.InvariantCulture):D12}");

    public static string WorkerName(Guid id) => $"w{int.Parse(id.ToString()[24..], CultureInfo.InvariantCulture)}";

    /// <summary>Task names as item ids: t1 → 1.</summary>
    public static long Task(string name) => long.Parse(name[1..], CultureInfo.InvariantCulture);

    public static List<(Guid Annotator, long Item, string Answer)> Answers() =>
        [.. Entry.GetProperty("answers").EnumerateObject()
            .SelectMany(worker => worker.Value.EnumerateObject().Select(task => (Worker(worker.Name), Task(task.Name), task.Value.GetString()!)))];

    public static JsonElement Expected(string name) => Entry.GetProperty("expected").GetProperty(name);
}
