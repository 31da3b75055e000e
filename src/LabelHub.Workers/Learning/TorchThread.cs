using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Learning;

/// <summary>
/// The one thread of this process that runs TorchSharp work, one piece after another. TorchSharp's dispose scopes
/// are per thread and must not span an await, so tensor work is posted here as synchronous delegates; running
/// them one at a time also keeps two trainings from fighting over the cores. On Linux the thread lowers its own
/// scheduling priority before the first tensor operation, and libtorch's worker threads, created from it,
/// inherit that: annotators' requests in the same process (embedded mode) keep their response times while a
/// model trains.
/// </summary>
public sealed class TorchThread : IDisposable
{
    /// <summary>The nice value of model work: far enough below request threads (0) to yield the cores to them.</summary>
    public const int NiceValue = 10;

    private readonly BlockingCollection<Action> work = [];
    private readonly Thread thread;
    private readonly ILogger<TorchThread> logger;

    public TorchThread(ILogger<TorchThread> logger)
    {
        this.logger = logger;
        thread = new Thread(Loop) { IsBackground = true, Name = "LabelHub model work" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="function"/> on the model thread; the task completes with its result or exception.</summary>
    public Task<T> RunAsync<T>(Func<T> function, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ct.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            if (ct.IsCancellationRequested)
            {
                done.TrySetCanceled(ct);
                return;
            }
            try
            {
                done.TrySetResult(function());
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                done.TrySetCanceled(ct);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, ct);
        return done.Task;
    }

    public void Dispose()
    {
        work.CompleteAdding();
        thread.Join(TimeSpan.FromSeconds(5));
        work.Dispose();
    }

    private void Loop()
    {
        LowerPriority();
        foreach (var action in work.GetConsumingEnumerable())
        {
            action();
        }
    }

    private void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            // On Linux the nice value belongs to the thread (PRIO_PROCESS with a thread id), and threads it creates inherit it.
            if (SetPriority(0, GetThreadId(), NiceValue) != 0)
            {
                logger.LogInformation("Model work runs at normal priority: setpriority failed with errno {Errno}", Marshal.GetLastPInvokeError());
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            logger.LogInformation("Model work runs at normal priority: {Reason}", ex.Message);
        }
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
