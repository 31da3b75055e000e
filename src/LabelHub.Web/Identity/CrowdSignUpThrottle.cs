using System.Collections.Concurrent;

namespace LabelHub.Web.Identity;

/// <summary>
/// Limits sign-ups through crowd invite links (issue 17): at most <see cref="PerAddress"/> attempts an hour from one
/// client address and <see cref="PerInvite"/> an hour through one link, so a leaked link or a script cannot mint
/// accounts by the thousand and nobody can guess secrets at speed. An attempt counts when it is made; one the form
/// turned down (a field to correct) is given back. In memory, per web instance, as <see cref="SignInThrottle"/>.
/// </summary>
public sealed class CrowdSignUpThrottle(TimeProvider clock)
{
    public const int PerAddress = 5;
    public const int PerInvite = 60;
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> byKey = new(StringComparer.Ordinal);

    /// <summary>Counts an attempt and returns zero, or returns how long to wait when the address or the link is at its limit (nothing counted).</summary>
    public TimeSpan TryAcquire(string? clientAddress, string inviteSecret)
    {
        var now = clock.GetUtcNow();
        var keys = new[] { (AddressKey(clientAddress), PerAddress), (InviteKey(inviteSecret), PerInvite) };
        lock (byKey)
        {
            if (byKey.Count >= MaxEntries)
            {
                byKey.Clear();
            }
            var wait = TimeSpan.Zero;
            foreach (var (key, limit) in keys)
            {
                var times = byKey.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
                while (times.Count > 0 && now - times.Peek() >= Window)
                {
                    times.Dequeue();
                }
                if (times.Count >= limit)
                {
                    var free = times.Peek() + Window - now;
                    wait = free > wait ? free : wait;
                }
            }
            if (wait > TimeSpan.Zero)
            {
                return wait;
            }
            foreach (var (key, _) in keys)
            {
                byKey[key].Enqueue(now);
            }
            return TimeSpan.Zero;
        }
    }

    /// <summary>Gives back the last attempt of this address and link: it was turned down for a field the person can correct.</summary>
    public void GiveBack(string? clientAddress, string inviteSecret)
    {
        lock (byKey)
        {
            foreach (var key in new[] { AddressKey(clientAddress), InviteKey(inviteSecret) })
            {
                if (byKey.TryGetValue(key, out var times) && times.Count > 0)
                {
                    // The newest entry is at the end of the queue: rebuild without it.
                    var kept = times.Take(times.Count - 1).ToList();
                    times.Clear();
                    kept.ForEach(times.Enqueue);
                }
            }
        }
    }

    private static string AddressKey(string? clientAddress) => "address:" + (clientAddress ?? "unknown");

    // The secret's hash, so the table holds no secrets.
    private static string InviteKey(string secret) => "invite:" + Domain.Collection.CrowdService.HashSecret(secret ?? "");
}
