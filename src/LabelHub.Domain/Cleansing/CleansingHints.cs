using System.Collections.Concurrent;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>One rule's word on a draft, for the field it names: a flag's reason, or a fix's would-be value.</summary>
/// <param name="Reason">The rule's message when it has one, else its English reason (localize where shown).</param>
/// <param name="After">A fixing rule's correction as the answer would hold it; null for a flag.</param>
public sealed record CleansingHint(string Field, string RuleId, RuleOutcomeKind Kind, string? Reason, JsonElement? After);

/// <summary>
/// The project's newest rules, compiled, for the workbench's hints (ADR 0019, 1): compiled once per project and version
/// and shared by every annotator's page; which version is newest is asked at most every <see cref="Freshness"/> per
/// project (with the project's schema), so a page asks once per task and evaluates the draft in memory on every change.
/// </summary>
public sealed class CleansingHints(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    // The newest version and the schema as they were last read; compiled sets are keyed by both, so a schema edited
    // under the same rules version compiles again instead of checking drafts against the old fields.
    private readonly ConcurrentDictionary<Guid, (int Version, LabelSchema Schema, string SchemaJson, DateTimeOffset CheckedAt)> newest = new();
    private readonly ConcurrentDictionary<(Guid Project, int Version, string SchemaJson), CompiledRuleSet?> compiled = new();

    /// <summary>The compiled newest rules, or null when the project has none (or they no longer fit its schema).</summary>
    public async Task<CompiledRuleSet?> RulesAsync(Guid projectId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (!newest.TryGetValue(projectId, out var known) || now - known.CheckedAt > Freshness)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var version = await db.CleansingRuleSets.Where(r => r.ProjectId == projectId).MaxAsync(r => (int?)r.Version, ct) ?? 0;
            var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
            known = (version, schema, JsonSerializer.Serialize(schema), now);
            newest[projectId] = known;
        }
        if (known.Version == 0)
        {
            return null;
        }
        var key = (projectId, known.Version, known.SchemaJson);
        if (compiled.TryGetValue(key, out var rules))
        {
            return rules;
        }
        rules = await CompileAsync(projectId, known.Version, known.Schema, ct);
        // Only the newest set of a project is kept: an older version or schema is never asked for again.
        foreach (var stale in compiled.Keys.Where(k => k.Project == projectId && k != key))
        {
            compiled.TryRemove(stale, out _);
        }
        compiled[key] = rules;
        return rules;
    }

    /// <summary>
    /// The newest rules for any member of the project (annotators included): the same checks the workbench shows as
    /// hints, for a client that labels through the API. Version 0 and no rules before the first save.
    /// </summary>
    public async Task<CleansingRulesView> ForMembersAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var latest = await db.CleansingRuleSets.AsNoTracking().Where(r => r.ProjectId == projectId).OrderByDescending(r => r.Version)
            .Select(r => new { r.Version, r.RulesJson, r.CreatedAt }).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return new CleansingRulesView(0, JsonSerializer.SerializeToElement(Array.Empty<object>()), null, null);
        }
        using var document = JsonDocument.Parse(latest.RulesJson);
        var rules = document.RootElement.TryGetProperty("rules", out var list) ? list.Clone() : JsonSerializer.SerializeToElement(Array.Empty<object>());
        // The author is left out: annotators see what is checked, not who wrote it.
        return new CleansingRulesView(latest.Version, rules, null, latest.CreatedAt);
    }

    /// <summary>What the rules say about a draft, per rule and field: no database, microseconds.</summary>
    public static IReadOnlyList<CleansingHint> Evaluate(CompiledRuleSet? rules, IReadOnlyDictionary<string, JsonElement> draft,
        IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        if (rules is null)
        {
            return [];
        }
        var evaluation = rules.Evaluate(draft, itemData);
        return [.. evaluation.Outcomes.Select(o => new CleansingHint(o.Rule.Field, o.Rule.Id, o.Kind, o.Rule.Message ?? o.Reason, o.After))];
    }

    private async Task<CompiledRuleSet?> CompileAsync(Guid projectId, int version, LabelSchema schema, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var json = await db.CleansingRuleSets.AsNoTracking().Where(r => r.ProjectId == projectId && r.Version == version).Select(r => r.RulesJson).SingleAsync(ct);
        try
        {
            return CompiledRuleSet.Compile(schema, CleansingRuleSet.FromJson(json));
        }
        catch (ValidationException)
        {
            // The schema changed since the rules were saved: no hints until they are saved again (applying says why).
            return null;
        }
    }
}
