using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Bench.DataPath;

public sealed record Seeded(string AdminToken, Guid LiveProjectId, Guid TargetProjectId, IReadOnlyList<Guid> AnnotatorIds, IReadOnlyList<string> AnnotatorTokens);

/// <summary>
/// What the measured phases need, written through the domain services on the server's database: annotators with API
/// tokens, a project they label (overlap 1), and the empty project the import fills. The answers the export writes are
/// added after the import with one INSERT … SELECT per annotator (<see cref="AddAnswersAsync"/>): 3,000,000 answers
/// through the API would take hours and measure nothing this benchmark is about.
/// </summary>
public static class Seeding
{
    public const string Field = "sentiment";

    public static async Task<Seeded> SeedAsync(IServiceProvider services, int annotators, int liveItems, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        Guid adminId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            adminId = await db.Users.Where(u => u.UserName == UserAdminService.FirstAdminUserName).Select(u => u.Id).SingleAsync(ct);
        }
        var admin = new Actor(adminId, new HashSet<string> { Roles.Admin });
        var projects = services.GetRequiredService<ProjectService>();
        var schema = new LabelSchema
        {
            Fields = [new LabelField { Name = Field, Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true }],
        };
        var live = await projects.CreateAsync(admin, new ProjectInput("Live labeling", "Labeled by the benchmark's annotators", schema, 1), ct);
        // The automatic quality recompute is put far out of reach in the project the exports read: the 3,000,000 answers
        // added below would otherwise start a recompute of the whole project beside the measured export, in the same process.
        var target = await projects.CreateAsync(admin, new ProjectInput("Import and export", "Filled by the measured import, read by the measured exports", schema, 3,
            Quality: new QualitySettings { RecomputeEveryAnnotations = 100_000_000 }), ct);

        var now = DateTimeOffset.UtcNow;
        for (var start = 0; start < liveItems; start += 5_000)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Items.AddRange(Enumerable.Range(start, Math.Min(5_000, liveItems - start)).Select(n => new Item
            {
                ProjectId = live.Id,
                Data = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement($"라이브 리뷰 {n}: 배송 빨라요 품질 만족") },
                ContentHash = $"live-{n}",
                SourceLine = n + 2,
                CreatedAt = now,
            }));
            await db.SaveChangesAsync(ct);
        }

        var ids = new List<Guid>();
        var tokens = new List<string>();
        var tokenService = services.GetRequiredService<AccessTokenService>();
        using (var scope = services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            for (var i = 0; i < annotators; i++)
            {
                var user = new AppUser { Id = Guid.CreateVersion7(), UserName = $"annotator{i:000}", DisplayName = $"Annotator {i:000}", CreatedAt = now };
                Check(await users.CreateAsync(user));
                Check(await users.AddToRoleAsync(user, Roles.Annotator));
                await projects.AddMemberAsync(admin, live.Id, user.Id, ct);
                ids.Add(user.Id);
                tokens.Add((await tokenService.CreateAsync(user.Id, "data-path bench", null, ct)).Token);
            }
        }
        var adminToken = (await tokenService.CreateAsync(adminId, "data-path bench", null, ct)).Token;
        return new Seeded(adminToken, live.Id, target.Id, ids, tokens);
    }

    /// <summary>One current answer from each of <paramref name="annotatorIds"/> on every item of the project.</summary>
    public static async Task<long> AddAnswersAsync(IServiceProvider services, Guid projectId, IReadOnlyList<Guid> annotatorIds, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var postgres = db.Database.IsNpgsql();
        // SQLite keeps a Guid as upper-case text and a time as UTC ticks (LabelHubDbContext's conventions).
        object Id(Guid id) => postgres ? id : id.ToString().ToUpperInvariant();
        object now = postgres ? DateTimeOffset.UtcNow : DateTimeOffset.UtcNow.UtcTicks;
        string[] labels = ["positive", "negative", "neutral"];
        for (var a = 0; a < annotatorIds.Count; a++)
        {
            // Mostly agreeing annotators: the second and third differ on every 7th and 11th item.
            var values = postgres ? "CAST({3} AS jsonb)" : "{3}";
            var disagree = a == 0 ? "1 = 0" : $"(id % {(a == 1 ? 7 : 11)} = 0)";
            var sql = $$"""
                INSERT INTO annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, "values", review_status, duration_ms, created_at)
                SELECT {0}, id, {1}, {1}, 1, {2}, 'Submit', CASE WHEN {{disagree}} THEN {{values.Replace("{3}", "{4}")}} ELSE {{values}} END, 'Unreviewed', 1500 + id % 4000, {5}
                FROM items WHERE project_id = {0}
                """;
            await db.Database.ExecuteSqlRawAsync(sql, [
                Id(projectId), Id(annotatorIds[a]), true,
                JsonSerializer.Serialize(new Dictionary<string, string> { [Field] = labels[0] }),
                JsonSerializer.Serialize(new Dictionary<string, string> { [Field] = labels[1 + a % 2] }),
                now], ct);
        }
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE items SET submitted_count = {1}, taken_slots = {1} WHERE project_id = {0}", [Id(projectId), annotatorIds.Count], ct);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE", ct);
        }
        else
        {
            // The 3,000,000 rows written here went to the write-ahead log; copy them into the database file now, so the
            // measured export starts from the state a server reaches on its own, not with gigabytes of log to read through.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        }
        return await db.Annotations.LongCountAsync(a => a.ProjectId == projectId, ct);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
