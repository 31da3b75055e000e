using System.Diagnostics;
using LabelHub.Domain.Jobs;

namespace LabelHub.Bench.ReleaseCut;

/// <summary>What one measured phase took: wall time, its passes (from the job's progress messages), peak memory.</summary>
public sealed record PhaseResult(string Name, double Seconds, long Rows, double PeakManagedMb, double PeakWorkingSetMb, double BaselineManagedMb,
    IReadOnlyList<(string Pass, double Seconds)> Passes, string Detail);

/// <summary>
/// Times a phase and samples this process's memory every 50 ms while it runs: the managed heap (GC.GetTotalMemory) and
/// the working set. As a job's progress it also records when each pass began, so a cut's time splits into its passes.
/// </summary>
public sealed class PhaseMeter : IJobProgress, IAsyncDisposable
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<(string Pass, double At)> marks = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private readonly Process self = Process.GetCurrentProcess();
    private long peakManaged;
    private long peakWorkingSet;

    public PhaseMeter()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        BaselineManaged = GC.GetTotalMemory(forceFullCollection: true);
        sampling = Task.Run(SampleAsync);
    }

    public long BaselineManaged { get; }

    public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default)
    {
        if (message is not null && (marks.Count == 0 || !SamePass(marks[^1].Pass, message)))
        {
            lock (marks)
            {
                marks.Add((message, clock.Elapsed.TotalSeconds));
            }
        }
        return Task.CompletedTask;
    }

    public async Task<PhaseResult> StopAsync(string name, long rows, string detail)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await sampling;
        var passes = marks.Select((m, i) => (m.Pass, (i + 1 < marks.Count ? marks[i + 1].At : seconds) - m.At)).ToList();
        return new PhaseResult(name, seconds, rows, Mb(peakManaged), Mb(peakWorkingSet), Mb(BaselineManaged), passes, detail);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
        self.Dispose();
    }

    private static double Mb(long bytes) => bytes / 1_048_576.0;

    /// <summary>"Writing the release", "Wrote 5,000 of …" and "Wrote 10,000 of …" are one pass.</summary>
    private static bool SamePass(string a, string b) =>
        string.Equals(FirstWord(a), FirstWord(b), StringComparison.Ordinal) || b.StartsWith("Wrote ", StringComparison.Ordinal);

    private static string FirstWord(string message) => message.Split(' ', 2)[0];

    private async Task SampleAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            self.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64);
            peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(forceFullCollection: false));
            try
            {
                await Task.Delay(50, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}

/// <summary>A stream that keeps nothing: it counts the bytes a download writes.</summary>
public sealed class CountingStream : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Count;
    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Count += count;
    public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Count += count;
        return Task.CompletedTask;
    }
}
