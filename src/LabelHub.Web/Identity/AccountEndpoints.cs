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

        account.MapPost("/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<AppUser> signIn, UserManager<AppUser> users, HttpContext context) =>
        {
            var target = SafeReturnUrl(returnUrl);
            var result = await signIn.PasswordSignInAsync(userName ?? "", password ?? "", isPersistent: true, lockoutOnFailure: true);
            if (!result.Succeeded)
            {
                var reason = result.IsLockedOut ? "locked" : "invalid";
                return Results.Redirect($"/account/login?error={reason}&returnUrl={Uri.EscapeDataString(target)}");
            }
            var user = await users.FindByNameAsync(userName!);
            if (user?.PreferredCulture is { } culture)
            {
                AppendCultureCookie(context, culture);
            }
            return Results.LocalRedirect(target);
        }).AllowAnonymous();

        account.MapPost("/logout", async (SignInManager<AppUser> signIn, TaskDistributor distributor, HttpContext context) =>
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                // Tasks held without an answer go back to the pool at once.
                await distributor.ReleaseAsync(context.User.ToActor(), null, context.RequestAborted);
            }
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/account/login");
        });

        // After a password change: re-issue this session's cookie with the new security stamp.
        account.MapGet("/refresh-sign-in", async (string? returnUrl, SignInManager<AppUser> signIn, UserManager<AppUser> users, HttpContext context) =>
        {
            if (await users.GetUserAsync(context.User) is { } user)
            {
                await signIn.RefreshSignInAsync(user);
            }
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        });

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
