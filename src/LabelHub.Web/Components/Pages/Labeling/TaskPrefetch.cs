using System.Data.Common;
using LabelHub.Domain;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// The task after the one shown, reserved in the background so it shows the moment the current one is submitted; and
/// giving back the tasks the page holds when it closes.
/// </summary>
public sealed class TaskPrefetch(TaskDistributor distributor)
{
    private Task<LabelingTask?>? pending;

    /// <summary>Reserves the task after <paramref name="current"/> in the background.</summary>
    public void Start(Actor actor, Guid projectId, LabelingTask current)
    {
        ArgumentNullException.ThrowIfNull(current);
        pending = distributor.PrefetchAsync(actor, projectId, current.AssignmentId);
    }

    /// <summary>The task reserved in advance stays reserved, but the page no longer waits for it.</summary>
    public void Forget() => pending = null;

    /// <summary>The task reserved in the background, if it was reserved: it saves a round trip to the database.</summary>
    public async Task<LabelingTask?> TakeAsync()
    {
        var next = pending is null ? null : await ResultAsync(pending);
        pending = null;
        return next;
    }

    /// <summary>The page closes: <paramref name="current"/> and the task reserved in advance go back to the pool.</summary>
    public async Task ReleaseAsync(Actor actor, LabelingTask? current)
    {
        var held = new List<long>();
        if (current is not null)
        {
            held.Add(current.AssignmentId);
        }
        if (pending is not null && await ResultAsync(pending) is { } reserved)
        {
            held.Add(reserved.AssignmentId);
        }
        if (held.Count == 0)
        {
            return;
        }
        try
        {
            await distributor.ReleaseAsync(actor, held);
        }
        catch (Exception ex) when (ex is DomainException or DbException or InvalidOperationException)
        {
            // The leases then run out on their own.
        }
    }

    private static async Task<LabelingTask?> ResultAsync(Task<LabelingTask?> reservation)
    {
        try
        {
            return await reservation;
        }
        catch (DomainException)
        {
            // A new guideline version or a lost race: the regular hand-out says what to do.
            return null;
        }
    }
}
