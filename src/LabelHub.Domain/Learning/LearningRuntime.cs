namespace LabelHub.Domain.Learning;

/// <summary>Whether this process can train and score models, and if not, why (shown on the Models page).</summary>
/// <param name="Device">"cpu" or "cuda" when available.</param>
public sealed record LearningAvailability(bool Available, string? Reason, string? Device = null)
{
    public static LearningAvailability Ready(string device) => new(true, null, device);

    public static LearningAvailability Unavailable(string reason) => new(false, reason);
}

/// <summary>
/// The model runtime of this process (TorchSharp in Workers). Domain and Web only ask whether it works: a missing
/// or unloadable native library disables the learning jobs with its reason instead of crashing anything.
/// </summary>
public interface ILearningRuntime
{
    LearningAvailability Availability { get; }
}
