using System.Globalization;
using System.Text;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Bench.DataManager;

public sealed record SeededProject(Actor Admin, Guid ProjectId, Guid SecondAnnotator, IReadOnlyList<long> Sources, double ItemSeconds, double BackfillSeconds, double LabelBackfillSeconds);

/// <summary>
/// One project of N items written with INSERT … SELECT on either database (the import path would take far longer and
/// measure nothing the data manager is about): item n's text is four words of a 64-word list (Korean among them) and n;
/// overlap 2 with 60 % of items answered twice (every 4th of those disagreeing), 10 % once; 30 % with a prediction;
/// three sources (50/30/15 %) and 5 % unsourced; every 500th gold; a release holding the answered items in three splits;
/// an open finding on every 50th. Agreement and prediction score, then item_labels (the label filter's rows), come from
/// the migration's backfill statements.
/// </summary>
public static class DataManagerSeeding
{
    public const string Field = "label";

    private static readonly string[] Words =
    [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november",
        "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "apple", "banana",
        "cherry", "grape", "lemon", "mango", "orange", "peach", "pear", "plum", "river", "ocean", "forest", "desert", "valley", "island",
        "red", "green", "blue", "yellow", "purple", "black", "white", "silver", "고양이", "강아지", "사과", "바다", "하늘", "나무", "학교",
        "기차", "비행기", "자동차", "책상", "의자", "창문", "시계",
    ];

    public static async Task<SeededProject> SeedAsync(IServiceProvider services, int itemCount, CancellationToken ct)
    {
        var users = new List<Guid>();
        using (var scope = services.CreateScope())
        {
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            foreach (var name in new[] { "bench-admin", "annotator1", "annotator2" })
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
            Fields = [new LabelField { Name = Field, Kind = FieldKind.Choice, Labels = [.. Enumerable.Range(0, 5).Select(Label)], Required = true }],
        };
        var project = await services.GetRequiredService<ProjectService>().CreateAsync(admin, new ProjectInput("Data manager benchmark", null, schema, 2,
            Quality: new QualitySettings { RecomputeEveryAnnotations = 100_000_000 }), ct);

        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(60));
        var now = DateTimeOffset.UtcNow;
        var sources = new[] { "web crawl", "customer upload", "open dataset" }
            .Select((name, i) => new ItemSource { ProjectId = project.Id, Name = name, Kind = (SourceKind)i, Licence = "CC-BY-4.0", CreatedById = admin.UserId, CreatedAt = now }).ToList();
        db.ItemSources.AddRange(sources);
        var release = new Release { ProjectId = project.Id, Number = 1, State = ReleaseState.Cutting, CreatedById = admin.UserId, CreatedAt = now };
        db.Releases.Add(release);
        var run = new CleansingRun { ProjectId = project.Id, Kind = CleansingRunKind.Rules, StartedById = admin.UserId, StartedAt = now };
        db.CleansingRuns.Add(run);
        await db.SaveChangesAsync(ct);

        var sql = new Dialect(db.Database.IsNpgsql());
        var projectId = sql.Id(project.Id);
        var text = $"{Word("n")} || ' ' || {Word("(n / 64)")} || ' ' || {Word("(n / 4096)")} || ' ' || {Word("(n * 7)")} || ' ' || n";
        var answers = "(CASE WHEN n % 10 < 6 THEN 2 WHEN n % 10 = 6 THEN 1 ELSE 0 END)";
        var source = string.Create(CultureInfo.InvariantCulture,
            $"(CASE WHEN n % 20 < 10 THEN {sources[0].Id} WHEN n % 20 < 16 THEN {sources[1].Id} WHEN n % 20 < 19 THEN {sources[2].Id} ELSE NULL END)");
        var items = System.Diagnostics.Stopwatch.StartNew();
        await db.Database.ExecuteSqlRawAsync(Trusted($"""
            {sql.Numbers(itemCount)}
            INSERT INTO items (project_id, data, content_hash, source_line, taken_slots, submitted_count, priority, is_gold, gold_answer, created_at, source_id, search_text)
            SELECT {"{0}"}, {sql.JsonObject("text", text)}, {sql.Hex64("n")}, n, {answers}, {answers}, (((n % 1000) * 7919) % 1000) / 1000.0, n % 500 = 0,
                   {sql.EmptyJson}, {sql.Time("n")}, {source}, {text}
            FROM numbers
            """), [projectId], ct);
        var itemSeconds = items.Elapsed.TotalSeconds;

        var label = "'label' || (source_line % 5)";
        var second = "'label' || (CASE WHEN source_line % 4 = 0 THEN (source_line + 1) % 5 ELSE source_line % 5 END)";
        for (var a = 0; a < 2; a++)
        {
            await db.Database.ExecuteSqlRawAsync(Trusted($"""
                INSERT INTO annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, "values", review_status, duration_ms, created_at)
                SELECT {"{0}"}, id, {"{1}"}, {"{1}"}, 1, {sql.True}, 'Submit', {sql.JsonObject(Field, a == 0 ? label : second)}, 'Unreviewed', 1500, {sql.Time("source_line")}
                FROM items WHERE project_id = {"{0}"} AND submitted_count > {a}
                """), [projectId, sql.Id(users[1 + a])], ct);
        }
        await db.Database.ExecuteSqlRawAsync(Trusted($"""
            INSERT INTO predictions (project_id, item_id, model_version, score, "values", created_at)
            SELECT {"{0}"}, id, 'bench-1', ((source_line * 31) % 100) / 100.0, {sql.JsonObject(Field, label)}, {sql.Time("source_line")}
            FROM items WHERE project_id = {"{0}"} AND source_line % 10 IN (0, 3, 7)
            """), [projectId], ct);
        await db.Database.ExecuteSqlRawAsync(Trusted($"""
            INSERT INTO release_items (release_id, item_id, split, content_hash, answers)
            SELECT {"{1}"}, id, CASE WHEN (source_line / 10) % 10 < 8 THEN 0 WHEN (source_line / 10) % 10 = 8 THEN 1 ELSE 2 END, content_hash, {sql.EmptyJsonText}
            FROM items WHERE project_id = {"{0}"} AND submitted_count = 2
            """), [projectId, release.Id], ct);
        await db.Database.ExecuteSqlRawAsync(Trusted($"""
            INSERT INTO cleansing_findings (project_id, run_id, item_id, source, code, reason, score, state, created_at)
            SELECT {"{0}"}, {"{1}"}, id, 0, 'bench', 'bench', 0.5, 0, {sql.Time("source_line")}
            FROM items WHERE project_id = {"{0}"} AND source_line % 50 = 0
            """), [projectId, run.Id], ct);
        var backfill = System.Diagnostics.Stopwatch.StartNew();
        // Seeding wrote answers and predictions by the million; one set-based pass replaces the queue's row-by-row refresh.
        await db.Database.ExecuteSqlRawAsync(ItemStatsRefresh.BackfillSql(db.Provider), ct);
        var backfillSeconds = backfill.Elapsed.TotalSeconds;
        var labelBackfill = System.Diagnostics.Stopwatch.StartNew();
        await db.Database.ExecuteSqlRawAsync(ItemLabelRows.BackfillSql(db.Provider), ct);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM item_stats_queue", ct);
        var labelBackfillSeconds = labelBackfill.Elapsed.TotalSeconds;
        await db.Database.ExecuteSqlRawAsync(sql.Postgres ? "VACUUM ANALYZE" : "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);", ct);
        return new SeededProject(admin, project.Id, users[2], [.. sources.Select(s => s.Id)], itemSeconds, backfillSeconds, labelBackfillSeconds);
    }

    /// <summary>
    /// What the SQLite search triggers cost an import: <paramref name="count"/> items inserted into a scratch project with
    /// the triggers and again without them (seconds each); the triggers are put back afterwards.
    /// </summary>
    public static async Task<(double With, double Without)> SqliteTriggerCostAsync(IServiceProvider services, Actor admin, int count, CancellationToken ct)
    {
        var project = await services.GetRequiredService<ProjectService>().CreateAsync(admin, new ProjectInput("Trigger cost", null,
            new LabelSchema { Fields = [new LabelField { Name = Field, Kind = FieldKind.Choice, Labels = ["a", "b"], Required = true }] }, 1), ct);
        await using var db = await services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(60));
        var sql = new Dialect(false);
        var text = $"{Word("n")} || ' ' || {Word("(n / 64)")} || ' ' || n";
        var insert = $"""
            {sql.Numbers(count)}
            INSERT INTO items (project_id, data, content_hash, source_line, taken_slots, submitted_count, priority, is_gold, gold_answer, created_at, search_text)
            SELECT {"{0}"}, {sql.JsonObject("text", text)}, {sql.Hex64("n")}, n, 0, 0, 0, 0, {sql.EmptyJson}, {sql.Time("n")}, {text} FROM numbers
            """;
        object[] id = [sql.Id(project.Id)];
        var with = System.Diagnostics.Stopwatch.StartNew();
        await db.Database.ExecuteSqlRawAsync(insert, id, ct);
        var withSeconds = with.Elapsed.TotalSeconds;
        await db.Database.ExecuteSqlRawAsync("DELETE FROM items WHERE project_id = {0}", id, ct);
        var triggers = await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'items_search_%'").ToListAsync(ct);
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER items_search_insert; DROP TRIGGER items_search_delete; DROP TRIGGER items_search_update;", ct);
        var without = System.Diagnostics.Stopwatch.StartNew();
        await db.Database.ExecuteSqlRawAsync(insert, id, ct);
        var withoutSeconds = without.Elapsed.TotalSeconds;
        await db.Database.ExecuteSqlRawAsync("DELETE FROM items WHERE project_id = {0}", id, ct);
        foreach (var trigger in triggers)
        {
            await db.Database.ExecuteSqlRawAsync(trigger.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), ct);
        }
        return (withSeconds, withoutSeconds);
    }

    /// <summary>SQL built here from constants and ids (no user input), with EF's {n} parameters for the values.</summary>
    private static string Trusted(string sql) => sql;

    public static string Label(int index) => string.Create(CultureInfo.InvariantCulture, $"label{index}");

    /// <summary>SQL for word number (<paramref name="number"/> mod 64) of the list: a slice of one padded string, the same on both databases.</summary>
    private static string Word(string number)
    {
        var padded = new StringBuilder();
        foreach (var word in Words)
        {
            padded.Append(word.PadRight(8));
        }
        return string.Create(CultureInfo.InvariantCulture, $"rtrim(substr('{padded}', ({number} % 64) * 8 + 1, 8))");
    }

    /// <summary>The two databases' spellings; SQLite keeps a Guid as upper-case text and a time as UTC ticks (LabelHubDbContext's conventions).</summary>
    private sealed record Dialect(bool Postgres)
    {
        // Braces doubled: EF formats raw SQL with its parameters.
        public string EmptyJson => Postgres ? "'{{}}'::jsonb" : "'{{}}'";

        public string EmptyJsonText => "'{{}}'";

        public string True => Postgres ? "TRUE" : "1";

        public object Id(Guid id) => Postgres ? id : id.ToString().ToUpperInvariant();

        /// <summary>A creation time n seconds after a fixed start, so created_at has ties nowhere and an order to walk.</summary>
        public string Time(string n) => Postgres
            ? $"(TIMESTAMPTZ '2026-01-01 00:00:00+00' + ({n} % 86400) * INTERVAL '1 second')"
            : string.Create(CultureInfo.InvariantCulture, $"({new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks} + ({n} % 86400) * 10000000)");

        public string Numbers(int count) => Postgres
            ? string.Create(CultureInfo.InvariantCulture, $"WITH numbers AS (SELECT generate_series(1, {count}) AS n)")
            : string.Create(CultureInfo.InvariantCulture, $"WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < {count})");

        public string JsonObject(string key, string valueSql) => Postgres ? $"jsonb_build_object('{key}', {valueSql})" : $"json_object('{key}', {valueSql})";

        public string Hex64(string number) => Postgres ? $"lpad(to_hex({number}), 64, '0')" : $"printf('%064x', {number})";
    }
}
