using System.Globalization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Bench.ReleaseCut;

public sealed record SeededProject(Actor Admin, Guid ProjectId, IReadOnlyList<Guid> Annotators, long Items, long Answers);

/// <summary>
/// A project of N items × 3 current answers written with a few INSERT … SELECT statements on either database (the
/// domain services would take hours and measure nothing the cut is about). Item n (its source line) has the true label
/// ((n mod 97) mod 10) of ten; the first annotator always gives it, the second is off by one label on every 4th item, the
/// third off by two on every 5th: 85 % of the answers agree with the majority, and every 20th item is a three-way tie,
/// left out as having no final answer. Every 1,000th item is gold.
/// </summary>
public static class ReleaseCutSeeding
{
    public const string Field = "label";

    public static async Task<SeededProject> SeedAsync(IServiceProvider services, int itemCount, CancellationToken ct)
    {
        var users = new List<Guid>();
        using (var scope = services.CreateScope())
        {
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            foreach (var name in new[] { "bench-admin", "annotator1", "annotator2", "annotator3" })
            {
                var user = new AppUser { Id = Guid.CreateVersion7(), UserName = name, DisplayName = name, CreatedAt = DateTimeOffset.UtcNow };
                var created = await userManager.CreateAsync(user);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
                }
                users.Add(user.Id);
            }
        }
        var admin = new Actor(users[0], new HashSet<string> { Roles.Admin });
        var schema = new LabelSchema
        {
            Fields = [new LabelField { Name = Field, Kind = FieldKind.Choice, Labels = [.. Enumerable.Range(0, 10).Select(Label)], Required = true }],
        };
        var project = await services.GetRequiredService<ProjectService>().CreateAsync(admin, new ProjectInput("Release benchmark", null, schema, 3,
            Quality: new QualitySettings { RecomputeEveryAnnotations = 100_000_000 }), ct);

        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var sql = new Dialect(db.Database.IsNpgsql());
        var projectId = sql.Id(project.Id);
        var now = sql.Now();
        var insertItems = $"""
            {sql.Numbers(itemCount)}
            INSERT INTO items (project_id, data, content_hash, source_line, taken_slots, submitted_count, priority, is_gold, gold_answer, created_at)
            SELECT {"{0}"}, {sql.JsonObject("text", "'review ' || n")}, {sql.Hex64("n")}, n, 3, 3, 0, {"{1}"}, {sql.EmptyJson}, {"{2}"} FROM numbers
            """;
        await db.Database.ExecuteSqlRawAsync(insertItems, [projectId, false, now], ct);
        var markGold = $"""
            UPDATE items SET is_gold = {"{1}"}, gold_answer = {sql.JsonObject(Field, LabelOf("source_line"))} WHERE project_id = {"{0}"} AND source_line % 1000 = 0
            """;
        await db.Database.ExecuteSqlRawAsync(markGold, [projectId, true], ct);
        string[] answerOf = [LabelOf("source_line"), LabelOf("source_line", 4, 1), LabelOf("source_line", 5, 2)];
        for (var a = 0; a < 3; a++)
        {
            var insertAnswers = $"""
                INSERT INTO annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, "values", review_status, duration_ms, created_at)
                SELECT {"{0}"}, id, {"{1}"}, {"{1}"}, 1, {"{2}"}, 'Submit', {sql.JsonObject(Field, answerOf[a])}, 'Unreviewed', 1500 + id % 4000, {"{3}"}
                FROM items WHERE project_id = {"{0}"}
                """;
            await db.Database.ExecuteSqlRawAsync(insertAnswers, [projectId, sql.Id(users[1 + a]), true, now], ct);
        }
        await SettleAsync(db, sql.Postgres, ct);
        var answers = await db.Annotations.LongCountAsync(a => a.ProjectId == project.Id && a.IsCurrent, ct);
        return new SeededProject(admin, project.Id, users[1..], itemCount, answers);
    }

    /// <summary>
    /// About 1 % of the items relabeled between two releases: a reviewer's fix (a new current version of the second
    /// annotator's answer, three labels off) on every 100th item, as a review would leave it.
    /// </summary>
    public static async Task<long> RelabelAsync(IServiceProvider services, SeededProject seeded, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var sql = new Dialect(db.Database.IsNpgsql());
        object[] values = [sql.Id(seeded.ProjectId), sql.Id(seeded.Annotators[1]), false, true, sql.Now()];
        await db.Database.ExecuteSqlRawAsync("""
            UPDATE annotations SET is_current = {2}
            WHERE project_id = {0} AND annotator_id = {1} AND is_current = {3}
              AND item_id IN (SELECT id FROM items WHERE project_id = {0} AND source_line % 100 = 1)
            """, values, ct);
        var insertFixes = $"""
            INSERT INTO annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, "values", review_status, duration_ms, created_at)
            SELECT {"{0}"}, id, {"{1}"}, {"{1}"}, 2, {"{3}"}, 'ReviewFix', {sql.JsonObject(Field, LabelOf("source_line", 1, 3))}, 'Unreviewed', 900, {"{4}"}
            FROM items WHERE project_id = {"{0}"} AND source_line % 100 = 1
            """;
        var changed = await db.Database.ExecuteSqlRawAsync(insertFixes, values, ct);
        await SettleAsync(db, sql.Postgres, ct);
        return changed;
    }

    public static string Label(int index) => string.Create(CultureInfo.InvariantCulture, $"label{index}");

    /// <summary>SQL for the label of item n (<paramref name="line"/>), shifted by <paramref name="shift"/> on every <paramref name="every"/>th item.</summary>
    private static string LabelOf(string line, int every = 0, int shift = 0)
    {
        var truth = $"(({line} % 97) % 10)";
        var index = every == 0 ? truth : string.Create(CultureInfo.InvariantCulture, $"(CASE WHEN {line} % {every} = 0 THEN ({truth} + {shift}) % 10 ELSE {truth} END)");
        return $"'label' || {index}";
    }

    /// <summary>Fresh statistics (PostgreSQL) or the write-ahead log copied into the database (SQLite), as a server reaches on its own.</summary>
    private static async Task SettleAsync(LabelHubDbContext db, bool postgres, CancellationToken ct) =>
        await db.Database.ExecuteSqlRawAsync(postgres ? "VACUUM ANALYZE" : "PRAGMA wal_checkpoint(TRUNCATE);", ct);

    /// <summary>The two databases' spellings; SQLite keeps a Guid as upper-case text and a time as UTC ticks (LabelHubDbContext's conventions).</summary>
    private sealed record Dialect(bool Postgres)
    {
        // Braces doubled: EF formats raw SQL with its parameters.
        public string EmptyJson => Postgres ? "'{{}}'::jsonb" : "'{{}}'";

        public object Id(Guid id) => Postgres ? id : id.ToString().ToUpperInvariant();

        public object Now() => Postgres ? DateTimeOffset.UtcNow : DateTimeOffset.UtcNow.UtcTicks;

        public string Numbers(int count) => Postgres
            ? string.Create(CultureInfo.InvariantCulture, $"WITH numbers AS (SELECT generate_series(1, {count}) AS n)")
            : string.Create(CultureInfo.InvariantCulture, $"WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < {count})");

        public string JsonObject(string key, string valueSql) => Postgres ? $"jsonb_build_object('{key}', {valueSql})" : $"json_object('{key}', {valueSql})";

        public string Hex64(string number) => Postgres ? $"lpad(to_hex({number}), 64, '0')" : $"printf('%064x', {number})";
    }
}
