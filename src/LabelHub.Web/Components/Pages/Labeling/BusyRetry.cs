using LabelHub.Domain.Data;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// A database call that a busy database refused (<see cref="DatabaseBusy"/>) is tried again after short pauses; the
/// page is told while it waits, so it can say "saving… retrying" and keep the answer on screen.
/// </summary>
public static class BusyRetry
{
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    public static async Task<T> RunAsync<T>(Func<Task<T>> action, Action<bool> retrying)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(retrying);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await action();
                retrying(false);
                return result;
            }
            catch (Exception ex) when (DatabaseBusy.Is(ex) && attempt < Pauses.Length)
            {
                retrying(true);
                await Task.Delay(Pauses[attempt]);
            }
            catch
            {
                retrying(false);
                throw;
            }
        }
    }
}
