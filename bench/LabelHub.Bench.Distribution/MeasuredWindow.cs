using LabelHub.Domain.Learning;

namespace LabelHub.Bench.Distribution;

/// <summary>What one measured window recorded: the labeling project's latencies and everything the report says about the machine meanwhile.</summary>
/// <param name="Name">"baseline" or "training" with --train; "measured" otherwise.</param>
/// <param name="Training">Whether learning rounds ran during it.</param>
/// <param name="Driver">The load generator's side of the window; it arrives with the child's report after the run.</param>
/// <param name="WebThreads">The web app's threads with their nice values and CPU over the window.</param>
/// <param name="WorkerThreads">The same for a LabelHub.Workers process (--train-workers); empty otherwise.</param>
/// <param name="Rounds">Rounds started during the window, each waited for to its end.</param>
public sealed record MeasuredWindow(
    string Name,
    bool Training,
    LatencyRecorder Recorder,
    IReadOnlyList<GcPause> GcPauses,
    IReadOnlyList<(string Type, long Bytes)> AllocationsByType,
    IReadOnlyList<(double Seconds, string What)> BackgroundWork,
    CpuUsage Cpu,
    Diagnostics Diagnostics,
    IReadOnlyList<StatementStat> TopStatements,
    long StatementCalls,
    IReadOnlyList<ThreadCpu> WebThreads,
    IReadOnlyList<ThreadCpu> WorkerThreads,
    IReadOnlyList<RoundRun> Rounds,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc)
{
    public DriverWindow? Driver { get; init; }

    /// <summary>The app's jobs that ran during the window, the rounds included.</summary>
    public IReadOnlyList<JobDuring> Jobs { get; init; } = [];
}

/// <summary>How --train set up its second project and where the rounds trained.</summary>
/// <param name="WarmUpRound">The round run during the warm-up (libtorch loaded, the round's code compiled).</param>
/// <param name="AnswerTime">How long the labeler took to answer the labeled images through the API.</param>
public sealed record TrainingSetup(TrainIn Where, Guid ProjectId, int Labeled, int Pool, LearningSettings Settings, RoundRun WarmUpRound, TimeSpan AnswerTime);
