using LabelHub.Domain.Identity;
using Microsoft.AspNetCore.Authorization;

namespace LabelHub.Web.Identity;

public static class Policies
{
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public const string Signed = "Signed";

    public static void Configure(AuthorizationBuilder authorization) => authorization
        .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
        .AddPolicy(Manager, p => p.RequireRole(Roles.Admin, Roles.Manager))
        .AddPolicy(Signed, p => p.RequireAuthenticatedUser())
        // Everything needs a signed-in user unless it says otherwise.
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
}
