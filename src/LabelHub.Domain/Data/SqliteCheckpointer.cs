using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabelHub.Domain.Data;

/// <summary>
/// Copies the write-ahead log into the SQLite database file twice a second, off every request's path (connections do not
/// checkpoint on their own, see <see cref="SqliteConnectionSetup"/>). PASSIVE: it never waits for or blocks a writer, it
/// copies what no reader still needs and tries again next time.
/// </summary>
public sealed class SqliteCheckpointer(IDbContextFactory<LabelHubDbContext> dbFactory, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checkpointing the SQLite write-ahead log failed; trying again shortly");
            }
        }
    }
}
