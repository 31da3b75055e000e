using LabelHub.Domain.Identity;
using Microsoft.AspNetCore.Identity;

namespace LabelHub.Web.Identity;

/// <summary>The outcome of a password check; a failure never says whether the account exists or why it failed.</summary>
public sealed record PasswordCheck(AppUser? User, TimeSpan RetryAfter)
{
    public bool Succeeded => User is not null;
}

/// <summary>User name and password, checked behind the sign-in throttle. Shared by the login form and the token endpoint.</summary>
public sealed class PasswordSignIn(SignInManager<AppUser> signIn, UserManager<AppUser> users, SignInThrottle throttle)
{
    // Hashed once, so an unknown user name costs the same hashing time as a known one.
    private static readonly Lazy<string> UnknownUserHash = new(() => new PasswordHasher<AppUser>().HashPassword(new AppUser(), Guid.NewGuid().ToString()));

    public async Task<PasswordCheck> CheckAsync(string userName, string password, HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString();
        var wait = throttle.WaitBefore(userName, address);
        if (wait > TimeSpan.Zero)
        {
            return new PasswordCheck(null, wait);
        }
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            users.PasswordHasher.VerifyHashedPassword(new AppUser(), UnknownUserHash.Value, password);
            throttle.RecordFailure(userName, address);
            return new PasswordCheck(null, TimeSpan.Zero);
        }
        // No lockout on failure: a stranger's guesses must not switch off the owner's account or tokens.
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
        if (!result.Succeeded)
        {
            throttle.RecordFailure(userName, address);
            return new PasswordCheck(null, TimeSpan.Zero);
        }
        throttle.RecordSuccess(userName);
        return new PasswordCheck(user, TimeSpan.Zero);
    }

    public async Task<bool> MustChangePasswordAsync(AppUser user) =>
        (await users.GetClaimsAsync(user)).Any(c => c.Type == UserAdminService.MustChangePasswordClaim);
}
