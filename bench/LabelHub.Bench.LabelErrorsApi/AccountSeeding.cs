using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Bench.LabelErrorsApi;

public sealed record SeededAccount(Guid UserId, string UserName, string Token);

public sealed record SeededAccounts(SeededAccount Admin, SeededAccount Manager, IReadOnlyList<SeededAccount> Annotators);

/// <summary>
/// The accounts the benchmark acts as, written through the domain services on the server's database (as
/// LabelHub.Bench.DataPath's Seeding does): the first admin's API token, a manager and two annotators with tokens.
/// Nothing else is seeded: the project, the images and the answers all go through the API.
/// </summary>
public static class AccountSeeding
{
    public const int AnnotatorCount = 2;

    public static async Task<SeededAccounts> SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        Guid adminId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            adminId = await db.Users.Where(u => u.UserName == UserAdminService.FirstAdminUserName).Select(u => u.Id).SingleAsync(ct);
        }
        var tokens = services.GetRequiredService<AccessTokenService>();
        var admin = new SeededAccount(adminId, UserAdminService.FirstAdminUserName, (await tokens.CreateAsync(adminId, "label-error API bench", null, ct)).Token);

        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        async Task<SeededAccount> CreateAsync(string userName, string role)
        {
            var user = new AppUser { Id = Guid.CreateVersion7(), UserName = userName, DisplayName = userName, CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user));
            Check(await users.AddToRoleAsync(user, role));
            return new SeededAccount(user.Id, userName, (await tokens.CreateAsync(user.Id, "label-error API bench", null, ct)).Token);
        }
        var manager = await CreateAsync("manager", Roles.Manager);
        var annotators = new List<SeededAccount>();
        for (var i = 1; i <= AnnotatorCount; i++)
        {
            annotators.Add(await CreateAsync($"annotator{i}", Roles.Annotator));
        }
        return new SeededAccounts(admin, manager, annotators);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
