using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>A project's rules as saved: version 0 with no rules before the first save.</summary>
/// <param name="Rules">The rules as JSON, each with its "kind" (<see cref="CleansingRuleSet"/>).</param>
public sealed record CleansingRulesView(int Version, JsonElement Rules, string? AuthorName, DateTimeOffset? CreatedAt);

public sealed record CleansingRuleSetVersionInfo(int Version, int RuleCount, string AuthorName, DateTimeOffset CreatedAt);

/// <summary>
/// The project's cleansing rules (ADR 0018, 0019): versioned saves checked against the schema, and the dry-run and
/// apply jobs. The project's managers (and admins) only.
/// </summary>
public sealed class CleansingService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, TimeProvider clock)
{
    public const int MaxRules = 500;

    private static readonly JsonElement NoRules = JsonSerializer.SerializeToElement(Array.Empty<object>());

    /// <summary>The newest saved version.</summary>
    public async Task<CleansingRulesView> GetRulesAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var latest = await db.CleansingRuleSets.AsNoTracking()
            .Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return new CleansingRulesView(0, NoRules, null, null);
        }
        var author = await AuthorNameAsync(db, latest.AuthorId, ct);
        return ToView(latest, author);
    }

    public async Task<IReadOnlyList<CleansingRuleSetVersionInfo>> VersionsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var versions = await db.CleansingRuleSets.AsNoTracking()
            .Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.Version)
            .GroupJoin(db.Users, r => r.AuthorId, u => u.Id, (r, users) => new { r.Version, r.RulesJson, r.CreatedAt, Users = users })
            .SelectMany(r => r.Users.DefaultIfEmpty(), (r, u) => new { r.Version, r.RulesJson, r.CreatedAt, Name = u == null ? null : u.UserName })
            .ToListAsync(ct);
        return [.. versions.Select(v => new CleansingRuleSetVersionInfo(v.Version, CleansingRuleSet.FromJson(v.RulesJson).Rules.Count, v.Name ?? "?", v.CreatedAt))];
    }

    /// <summary>Checks the rules against the project's schema (400 naming <c>rules[i].…</c>) and saves them as the next version.</summary>
    public async Task<CleansingRulesView> SaveAsync(Actor actor, Guid projectId, CleansingRuleSet rules, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        Check(project, rules);
        var json = rules.ToJson();
        // Two managers saving at once race for the same number; the unique index makes one retry.
        for (var attempt = 0; ; attempt++)
        {
            var next = (await db.CleansingRuleSets.Where(r => r.ProjectId == projectId).MaxAsync(r => (int?)r.Version, ct) ?? 0) + 1;
            var version = new CleansingRuleSetVersion
            {
                ProjectId = projectId,
                Version = next,
                RulesJson = json,
                AuthorId = actor.UserId,
                CreatedAt = clock.GetUtcNow(),
            };
            db.CleansingRuleSets.Add(version);
            try
            {
                await db.SaveChangesAsync(ct);
                return ToView(version, await AuthorNameAsync(db, actor.UserId, ct));
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.Entry(version).State = EntityState.Detached;
            }
        }
    }

    /// <summary>
    /// Starts a dry run of a saved version (the newest when none is given) or of rules not saved yet, which are checked
    /// now so a mistake is a 400 rather than a failed job.
    /// </summary>
    public async Task<JobRunInfo> StartDryRunAsync(Actor actor, Guid projectId, int? version, CleansingRuleSet? rules, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            if (rules is not null)
            {
                Check(project, rules);
                return await jobs.StartAsync(CleansingJobs.RulesDryRun, projectId, actor.UserId, new CleansingDryRunParameters(null, rules.ToJson()), ct);
            }
            version = await ResolveVersionAsync(db, project, version, ct);
        }
        return await jobs.StartAsync(CleansingJobs.RulesDryRun, projectId, actor.UserId, new CleansingDryRunParameters(version, null), ct);
    }

    /// <summary>Starts applying a saved version (the newest when none is given): its fixes become new answer versions.</summary>
    public async Task<JobRunInfo> StartApplyAsync(Actor actor, Guid projectId, int? version, CancellationToken ct = default)
    {
        int resolved;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            resolved = await ResolveVersionAsync(db, project, version, ct);
        }
        return await jobs.StartAsync(CleansingJobs.RulesApply, projectId, actor.UserId, new CleansingApplyParameters(resolved, actor.UserId), ct);
    }

    /// <summary>Reads rules sent as JSON (a body <c>{"rules": [...]}</c>); what cannot be read is a 400 on "rules".</summary>
    public static CleansingRuleSet Parse(string json)
    {
        try
        {
            return CleansingRuleSet.FromJson(json);
        }
        catch (JsonException e)
        {
            throw new ValidationException("rules", $"The rules cannot be read: {e.Message}");
        }
    }

    private static void Check(Project project, CleansingRuleSet rules)
    {
        if (rules.Rules.Count > MaxRules)
        {
            throw new ValidationException("rules", $"A rule set has at most {MaxRules} rules.");
        }
        CleansingRuleValidator.Validate(project.Schema, rules);
    }

    /// <summary>
    /// The saved version to run (the newest when none is given), checked against the schema as it is now: a schema
    /// changed since the rules were saved is a 400 naming the rule, not a failed job.
    /// </summary>
    private static async Task<int> ResolveVersionAsync(LabelHubDbContext db, Project project, int? version, CancellationToken ct)
    {
        var found = await db.CleansingRuleSets.AsNoTracking()
            .Where(r => r.ProjectId == project.Id && (version == null || r.Version == version))
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(ct)
            ?? throw new ValidationException("version", version is null
                ? "The project has no cleansing rules yet. Save rules first."
                : $"The project has no version {version} of its cleansing rules.");
        CleansingRuleValidator.Validate(project.Schema, CleansingRuleSet.FromJson(found.RulesJson));
        return found.Version;
    }

    private static async Task<string?> AuthorNameAsync(LabelHubDbContext db, Guid userId, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.UserName).FirstOrDefaultAsync(ct);

    private static CleansingRulesView ToView(CleansingRuleSetVersion version, string? author)
    {
        using var document = JsonDocument.Parse(version.RulesJson);
        var rules = document.RootElement.TryGetProperty("rules", out var list) ? list.Clone() : NoRules;
        return new CleansingRulesView(version.Version, rules, author, version.CreatedAt);
    }
}
