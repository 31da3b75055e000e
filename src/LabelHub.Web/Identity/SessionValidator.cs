using System.Security.Claims;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LabelHub.Web.Identity;

/// <summary>
/// Checks every cookie request against the user's row: a rotated security stamp (disabling, sign-out, password
/// change) or a disabled account ends the session on its next request, not after Identity's revalidation interval.
/// One indexed read of two columns per request; roles and claims are still refreshed by Identity's own validator.
/// </summary>
public static class SessionValidator
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var services = context.HttpContext.RequestServices;
        var stampClaimType = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        if (principal?.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id || !Guid.TryParse(id, out var userId))
        {
            return;
        }
        var db = services.GetRequiredService<LabelHubDbContext>();
        var row = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.SecurityStamp, u.LockoutEnd })
            .FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (row is null || row.SecurityStamp != principal.FindFirstValue(stampClaimType) || AppUser.IsDisabledUntil(row.LockoutEnd, now))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }
}
