using System.Globalization;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Synthesis;

/// <summary>The jobs of the Synthesis stage; they run in Workers (TorchSharp), their data goes through SynthesisData.</summary>
public static class SynthesisJobs
{
    /// <summary>Trains a generator epoch by epoch (checkpoint, sample grid and health after each), then measures it.</summary>
    public static readonly JobContract<TrainGeneratorParameters, TrainGeneratorResult> Train = new("synthesis-train");

    /// <summary>Generates images per class with a trained generator into the project as synthetic items.</summary>
    public static readonly JobContract<GenerateParameters, GenerateResult> Generate = new("synthesis-generate");
}

/// <summary>The generator row (created with its settings when the job was started) says what to train.</summary>
public sealed record TrainGeneratorParameters(Guid ProjectId, Guid GeneratorId);

public sealed record TrainGeneratorResult(
    int Version,
    int Epochs,
    double DiscriminatorLoss,
    double GeneratorLoss,
    [property: JsonConverter(typeof(JsonStringEnumConverter<GanHealth>))] GanHealth Health,
    double? CasRatio,
    double? FrechetDistance,
    double Seconds)
{
    public string Summary()
    {
        var health = Health switch
        {
            GanHealth.Healthy => "healthy",
            GanHealth.ModeCollapse => "mode collapse",
            GanHealth.Diverged => "diverged",
        };
        var cas = CasRatio is { } r ? r.ToString("P0", CultureInfo.InvariantCulture) : "n/a";
        var fid = FrechetDistance is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
        return $"{Generator.NameOf(Version)} trained {Epochs} epochs ({health}): CAS {cas} of real, Fréchet distance {fid} ({Seconds.ToString("F0", CultureInfo.InvariantCulture)} s).";
    }
}

/// <param name="PerClass">Images to make per class label (classes left out make none).</param>
/// <param name="Seed">The first noise seed; image i of the job uses Seed + i, stored on its item.</param>
public sealed record GenerateParameters(Guid ProjectId, Guid GeneratorId, IReadOnlyDictionary<string, int> PerClass, long Seed);

public sealed record GenerateResult(int Version, int Items, IReadOnlyDictionary<string, int> PerClass, double Seconds)
{
    public string Summary() =>
        $"{Generator.NameOf(Version)} made {Items:N0} synthetic items for annotators to confirm ({Seconds.ToString("F1", CultureInfo.InvariantCulture)} s).";
}
