using Microsoft.AspNetCore.DataProtection;

namespace LabelHub.Web.Identity;

/// <summary>
/// Lets a live circuit hand its session over to a plain request after the security stamp changed (password change):
/// the circuit cannot write a cookie, and the old cookie is already refused (SessionValidator). The ticket names the
/// user and the new stamp, is encrypted, and lives one minute; it signs in only while that stamp is still current.
/// </summary>
public sealed class SignInTicket(IDataProtectionProvider protection)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("LabelHub.SignInTicket").ToTimeLimitedDataProtector();

    public string Issue(Guid userId, string securityStamp) => Protector.Protect($"{userId:N}|{securityStamp}", Lifetime);

    public (Guid UserId, string SecurityStamp)? Read(string ticket)
    {
        try
        {
            var parts = Protector.Unprotect(ticket).Split('|', 2);
            return parts.Length == 2 && Guid.TryParse(parts[0], out var userId) ? (userId, parts[1]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
