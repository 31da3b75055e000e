using System.Diagnostics;
using LabelHub.Domain.Data;

namespace LabelHub.Domain.Tests.Data;

public sealed class SqliteWriteGateTests
{
    private static SqliteWriteGate Embedded() => new(DatabaseSettings.ForSqliteFile("/tmp/not-opened.db"));

    [Fact]
    public async Task A_request_waits_for_at_most_the_batch_in_hand_while_a_job_writes_batch_after_batch()
    {
        var gate = Embedded();
        using var stop = new CancellationTokenSource();
        var batches = 0;
        // The job: 40 ms batches, one after the other, as fast as the gate lets it.
        var job = Task.Run(async () =>
        {
            SqliteWriteGate.MarkJob();
            while (!stop.IsCancellationRequested)
            {
                await gate.RunAsync(async () =>
                {
                    Interlocked.Increment(ref batches);
                    await Task.Delay(40, CancellationToken.None);
                }, CancellationToken.None);
            }
        });
        await Task.Delay(100);

        // How many batches the job started while each request waited: never more than the one already in hand.
        var batchesWhileWaiting = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            var before = Volatile.Read(ref batches);
            var during = 0;
            await gate.RunAsync(() =>
            {
                during = Volatile.Read(ref batches) - before;
                return Task.CompletedTask;
            }, CancellationToken.None);
            batchesWhileWaiting.Add(during);
            await Task.Delay(Random.Shared.Next(5, 30));
        }
        await stop.CancelAsync();
        await job;

        Assert.All(batchesWhileWaiting, started => Assert.InRange(started, 0, 1));
        // And the job still moved on between the requests.
        Assert.True(batches > 5);
    }

    [Fact]
    public async Task A_job_waits_while_requests_are_waiting_and_goes_on_when_they_are_done()
    {
        var gate = Embedded();
        var order = new List<string>();
        var requestHolds = new TaskCompletionSource();
        var first = Task.Run(() => gate.RunAsync(async () =>
        {
            lock (order)
            {
                order.Add("request 1");
            }
            await requestHolds.Task;
        }, CancellationToken.None));
        await Task.Delay(300);
        var job = Task.Run(async () =>
        {
            SqliteWriteGate.MarkJob();
            await gate.RunAsync(() =>
            {
                lock (order)
                {
                    order.Add("job");
                }
                return Task.CompletedTask;
            }, CancellationToken.None);
        });
        await Task.Delay(300);
        var second = Task.Run(() => gate.RunAsync(() =>
        {
            lock (order)
            {
                order.Add("request 2");
            }
            return Task.CompletedTask;
        }, CancellationToken.None));
        await Task.Delay(300);
        requestHolds.SetResult();
        await Task.WhenAll(first, second, job);

        // The job queued before the second request, yet the request went first.
        Assert.Equal(["request 1", "request 2", "job"], order);
    }

    [Fact]
    public async Task On_postgres_nothing_waits()
    {
        var gate = new SqliteWriteGate(new DatabaseSettings(DatabaseProvider.Postgres, "Host=db"));
        var inside = new TaskCompletionSource();
        var holder = gate.RunAsync(() => inside.Task, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        await gate.RunAsync(() => Task.CompletedTask, CancellationToken.None);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
        inside.SetResult();
        await holder;
    }
}
