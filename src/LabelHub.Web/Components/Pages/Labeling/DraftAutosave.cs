using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// Keeps the answer being given as the task's draft: every few seconds the page is asked to save, and an answer that
/// changed since the last save goes to <see cref="TaskDistributor.SaveDraftAsync"/>.
/// </summary>
public sealed class DraftAutosave(TaskDistributor distributor) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private PeriodicTimer? timer;
    private string lastSaved = "{}";

    /// <summary>Calls <paramref name="tick"/> (the page's save, on its renderer) every few seconds until disposed.</summary>
    public void Start(Func<Task> tick)
    {
        ArgumentNullException.ThrowIfNull(tick);
        timer = new PeriodicTimer(Interval);
        _ = RunAsync(timer, tick);
    }

    /// <summary>A new task: its answer as loaded (<see cref="AnswerDraft.ToJson"/>) is already saved.</summary>
    public void Restart(string savedJson) => lastSaved = savedJson;

    /// <summary>Saves the answer as the task's draft, unless it is the one saved last.</summary>
    public async Task SaveAsync(Actor actor, long assignmentId, Dictionary<string, JsonElement> values)
    {
        var json = JsonSerializer.Serialize(values);
        if (json == lastSaved)
        {
            return;
        }
        try
        {
            await distributor.SaveDraftAsync(actor, assignmentId, values);
            lastSaved = json;
        }
        catch (DomainException)
        {
            // The task ended meanwhile (submitted elsewhere, expired): the next submit says so.
        }
    }

    public void Dispose() => timer?.Dispose();

    private static async Task RunAsync(PeriodicTimer timer, Func<Task> tick)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                await tick();
            }
        }
        catch (ObjectDisposedException)
        {
            // The page closed.
        }
    }
}
