using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace LabelHub.Web.Identity;

/// <summary>Sign-in, sign-out and language choice: plain form posts, so they work without a live circuit.</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();

        account.MapPost("/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl, [FromForm] bool? keepSignedIn,
            PasswordSignIn passwords, SignInManager<AppUser> signIn, HttpContext context) =>
        {
            var target = SafeReturnUrl(returnUrl);
            var check = await passwords.CheckAsync(userName ?? "", password ?? "", context);
            if (check.User is not { } user)
            {
                // One answer for every failure: it must not tell which user names exist, are disabled or are being throttled.
                return Results.Redirect($"/account/login?error=failed&returnUrl={Uri.EscapeDataString(target)}");
            }
            // Without "keep me signed in" the cookie ends with the browser session.
            await signIn.SignInAsync(user, isPersistent: keepSignedIn == true);
            if (user.PreferredCulture is { } culture)
            {
                AppendCultureCookie(context, culture);
            }
            return Results.LocalRedirect(target);
        }).AllowAnonymous();

        account.MapPost("/logout", async (SignInManager<AppUser> signIn, UserManager<AppUser> users, TaskDistributor distributor, HttpContext context) =>
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                // Tasks held without an answer go back to the pool at once.
                await distributor.ReleaseAsync(context.User.ToActor(), null, context.RequestAborted);
                // A new stamp makes this cookie (and any copy of it) useless, not just deleted from this browser.
                // It ends the user's other browser sessions too: there is no per-session record to end only this one.
                if (await users.GetUserAsync(context.User) is { } user)
                {
                    await users.UpdateSecurityStampAsync(user);
                }
            }
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/account/login");
        });

        // After a password change: the circuit's ticket re-issues this session's cookie with the new security stamp.
        account.MapGet("/refresh-sign-in", async (string? ticket, string? returnUrl, SignInTicket tickets, SignInManager<AppUser> signIn, UserManager<AppUser> users) =>
        {
            if (ticket is not null && tickets.Read(ticket) is { } claimed
                && await users.FindByIdAsync(claimed.UserId.ToString()) is { } user && user.SecurityStamp == claimed.SecurityStamp)
            {
                // The circuit cannot tell whether the old cookie was persistent: the safer choice, a browser-session cookie.
                await signIn.SignInAsync(user, isPersistent: false);
            }
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        }).AllowAnonymous();

        // The language picker: remembered in a cookie and, for a signed-in user, on their account.
        account.MapGet("/culture", async (string culture, string? returnUrl, HttpContext context, UserManager<AppUser> users) =>
        {
            if (!WebSetup.Cultures.Contains(culture))
            {
                return Results.BadRequest($"Supported languages: {string.Join(", ", WebSetup.Cultures)}.");
            }
            AppendCultureCookie(context, culture);
            if (context.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(context.User) is { } user)
            {
                user.PreferredCulture = culture;
                await users.UpdateAsync(user);
            }
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        }).AllowAnonymous();
    }

    private static void AppendCultureCookie(HttpContext context, string culture) =>
        context.Response.Cookies.Append(
            Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.DefaultCookieName,
            WebSetup.CultureCookieValue(culture),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });

    /// <summary>
    /// Only paths on this site, so the login form cannot be used to send people elsewhere. A control character anywhere
    /// makes it not local: browsers drop a tab or line break, so "/\t/evil.example" would lead off the site (and ASP.NET's
    /// local redirect refused it with a 500, after the sign-in cookie was set).
    /// </summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}
