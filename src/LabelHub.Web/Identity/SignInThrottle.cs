using System.Collections.Concurrent;

namespace LabelHub.Web.Identity;

/// <summary>
/// Slows password guessing without locking anyone out (ADR 0016). Failures are counted per account and per client
/// address; past a few free attempts each further failure doubles the wait before the next attempt is even checked.
/// The per-account wait stays short (the owner may be the one waiting); the per-address wait grows long, since one
/// address trying many accounts is the attacker. Counts fade after a quiet <see cref="ForgetAfter"/>.
/// In memory: each web instance throttles on its own, which still multiplies an attacker's cost.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(30);
    private const int FreeAccountFailures = 5;
    private static readonly TimeSpan MaxAccountWait = TimeSpan.FromMinutes(1);
    private const int FreeAddressFailures = 20;
    private static readonly TimeSpan MaxAddressWait = TimeSpan.FromMinutes(15);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Failures> byKey = new(StringComparer.Ordinal);

    private sealed record Failures(int Count, DateTimeOffset Last);

    /// <summary>How long this attempt must wait before it is checked at all; zero when it may go ahead.</summary>
    public TimeSpan WaitBefore(string userName, string? clientAddress)
    {
        var now = clock.GetUtcNow();
        var account = Remaining(AccountKey(userName), FreeAccountFailures, MaxAccountWait, now);
        var address = Remaining(AddressKey(clientAddress), FreeAddressFailures, MaxAddressWait, now);
        return account > address ? account : address;
    }

    public void RecordFailure(string userName, string? clientAddress)
    {
        var now = clock.GetUtcNow();
        if (byKey.Count >= MaxEntries)
        {
            // A flood of made-up names: drop the faded entries, and everything if that is not enough.
            foreach (var (key, failures) in byKey.Where(e => now - e.Value.Last > ForgetAfter).ToList())
            {
                byKey.TryRemove(new KeyValuePair<string, Failures>(key, failures));
            }
            if (byKey.Count >= MaxEntries)
            {
                byKey.Clear();
            }
        }
        foreach (var key in new[] { AccountKey(userName), AddressKey(clientAddress) })
        {
            byKey.AddOrUpdate(key, _ => new Failures(1, now), (_, old) => new Failures(now - old.Last > ForgetAfter ? 1 : old.Count + 1, now));
        }
    }

    /// <summary>The owner got in: the account's count starts over. The address keeps its count, so an attacker cannot clear it with an account of their own.</summary>
    public void RecordSuccess(string userName) => byKey.TryRemove(AccountKey(userName), out _);

    private TimeSpan Remaining(string key, int freeFailures, TimeSpan maxWait, DateTimeOffset now)
    {
        if (!byKey.TryGetValue(key, out var failures) || failures.Count < freeFailures || now - failures.Last > ForgetAfter)
        {
            return TimeSpan.Zero;
        }
        var doublings = Math.Min(failures.Count - freeFailures, 20);
        var wait = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, doublings), maxWait.TotalSeconds));
        var remaining = failures.Last + wait - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private static string AccountKey(string userName) => "account:" + userName.Trim().ToUpperInvariant();

    private static string AddressKey(string? clientAddress) => "address:" + (clientAddress ?? "unknown");
}
