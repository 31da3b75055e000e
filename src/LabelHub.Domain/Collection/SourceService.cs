using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>A source as the sources table shows it.</summary>
public sealed record SourceInfo(
    long Id, string Name, SourceKind Kind, string Licence, DateOnly? CollectedOn, int ItemCount, Guid? ImportJobRunId, DateTimeOffset CreatedAt);

/// <summary>A change to a source: null members stay as they are; an empty <paramref name="CollectedOn"/> clears the date.</summary>
/// <param name="Kind">A <see cref="SourceKind"/> name ("Upload", "openDataset"…), any case.</param>
/// <param name="CollectedOn">yyyy-MM-dd.</param>
public sealed record SourceUpdate(string? Name = null, string? Kind = null, string? Licence = null, string? CollectedOn = null);

/// <summary>How a field's labels spread over the project's sources (<see cref="SourceService.BalanceAsync"/>).</summary>
/// <param name="Labels">The field's labels, in schema order.</param>
/// <param name="LabelTotals">Per label (same order), the items whose final answer has it.</param>
/// <param name="MaxShare">The most of a label (or of all items) one source may hold: the project's target, else <see cref="SourceService.DefaultMaxSourceShare"/>.</param>
/// <param name="Dominant">Every cell above <paramref name="MaxShare"/>, largest share first.</param>
public sealed record SourceBalance(
    string Field, IReadOnlyList<string> Labels, IReadOnlyList<int> LabelTotals, int TotalItems, double MaxShare,
    IReadOnlyList<SourceBalanceRow> Sources, IReadOnlyList<SourceDominance> Dominant);

/// <summary>One source's row: its items, its share of all items, and per label (schema order) its count and share of that label.</summary>
/// <param name="SourceId">Null: items imported before sources were recorded.</param>
public sealed record SourceBalanceRow(long? SourceId, string Name, SourceKind? Kind, int Items, double ShareOfItems, IReadOnlyList<SourceLabelCell> Labels);

/// <param name="Share">Of all items with this label, the part from this source (0 when the label has none).</param>
public sealed record SourceLabelCell(string Label, int Count, double Share, bool Dominant);

/// <summary>The largest share one source holds of one label (<see cref="SourceService.LargestLabelShareAsync"/>).</summary>
/// <param name="SourceId">Null: items imported before sources were recorded.</param>
/// <param name="Items">Items of the label from the source.</param>
/// <param name="LabelItems">Items with the label from all sources.</param>
public sealed record LabelDominance(long? SourceId, string SourceName, string Field, string Label, double Share, int Items, int LabelItems);

/// <summary>A source that holds more than the target share of a label; <paramref name="Label"/> null: of all items.</summary>
public sealed record SourceDominance(long? SourceId, string SourceName, string? Label, double Share);

/// <summary>
/// The sources of a project's items (issue 17): every import records one (<see cref="EnsureImportSourceAsync"/>), a
/// manager lists and corrects them, and the balance shows when one source dominates a label.
/// </summary>
public sealed class SourceService(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    /// <summary>The most of a label one source may hold when the project sets no <see cref="StageTargets.MaxSourceShare"/>.</summary>
    public const double DefaultMaxSourceShare = 0.8;

    /// <summary>
    /// The fewest items a label needs before the collect stage judges its balance (<see cref="LargestLabelShareAsync"/>):
    /// with fewer, one source holding all of a rare label says little (3 of 3 is 100 %), and the stage would turn red on
    /// the first answers of every project.
    /// </summary>
    public const int MinLabelItemsForDominance = 20;

    public const int MaxNameLength = 200;
    public const int MaxLicenceLength = 200;

    public async Task<IReadOnlyList<SourceInfo>> ListAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var sources = await db.ItemSources.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Id).ToListAsync(ct);
        var counts = await ItemCountsAsync(db, projectId, ct);
        return [.. sources.Select(s => Info(s, counts.GetValueOrDefault(s.Id)))];
    }

    public async Task<SourceInfo> UpdateAsync(Actor actor, Guid projectId, long sourceId, SourceUpdate update, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var source = await db.ItemSources.FirstOrDefaultAsync(s => s.Id == sourceId && s.ProjectId == projectId, ct)
            ?? throw new NotFoundException("Source");
        if (update.Name is not null)
        {
            source.Name = CheckName(update.Name, "name");
        }
        if (update.Kind is not null)
        {
            source.Kind = ParseKind(update.Kind, "kind");
        }
        if (update.Licence is not null)
        {
            source.Licence = CheckLicence(update.Licence, "licence");
        }
        if (update.CollectedOn is not null)
        {
            source.CollectedOn = ParseDate(update.CollectedOn, "collectedOn");
        }
        await db.SaveChangesAsync(ct);
        var count = await db.Items.CountAsync(i => i.ProjectId == projectId && i.SourceId == sourceId, ct);
        return Info(source, count);
    }

    /// <summary>
    /// Per source, how many items have each label of a single- or multiple-choice field, and its share of each label and
    /// of all items. An item counts once per label of its final answer (<see cref="FinalAnswers"/>: a gold item's gold
    /// answer, else the value more than half of its current, not rejected answers agree on), so an item whose annotators
    /// disagree counts for no label until they settle, and a multiple-choice answer counts for each label it picks.
    /// One pass over the answers in item order, holding one item's answers at a time; item totals are one GROUP BY.
    /// </summary>
    public async Task<SourceBalance> BalanceAsync(Actor actor, Guid projectId, string field, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var labelField = project.Schema.Field(field ?? "");
        if (labelField is not { Kind: FieldKind.Choice or FieldKind.MultiChoice })
        {
            throw new ValidationException("field", $"'{field}' is not a single- or multiple-choice field of this project.");
        }
        return (await BalancesAsync(db, project, [labelField], ct))[0];
    }

    /// <summary>
    /// The largest share one source holds of any label of any single- or multiple-choice field, counted as
    /// <see cref="BalanceAsync"/> counts it (in one pass for all fields), over labels with at least
    /// <see cref="MinLabelItemsForDominance"/> items; null when no label has that many (or there is no such field).
    /// </summary>
    public static async Task<LabelDominance?> LargestLabelShareAsync(LabelHubDbContext db, Project project, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(project);
        var fields = project.Schema.Fields.Where(f => f.Kind is FieldKind.Choice or FieldKind.MultiChoice).ToList();
        if (fields.Count == 0)
        {
            return null;
        }
        LabelDominance? largest = null;
        foreach (var balance in await BalancesAsync(db, project, fields, ct))
        {
            foreach (var row in balance.Sources)
            {
                for (var index = 0; index < balance.Labels.Count; index++)
                {
                    var cell = row.Labels[index];
                    if (balance.LabelTotals[index] >= MinLabelItemsForDominance && (largest is null || cell.Share > largest.Share))
                    {
                        largest = new LabelDominance(row.SourceId, row.Name, balance.Field, cell.Label, cell.Share, cell.Count, balance.LabelTotals[index]);
                    }
                }
            }
        }
        return largest;
    }

    /// <summary>
    /// The balance of each of <paramref name="fields"/> (single- or multiple-choice fields of the project). Items count
    /// once per label of their final answer (<see cref="FinalAnswers.Of"/>): a gold item's gold answer, else its current,
    /// not rejected answers. One pass over the answers in item order, holding one item's answers at a time; item totals
    /// are one GROUP BY.
    /// </summary>
    private static async Task<IReadOnlyList<SourceBalance>> BalancesAsync(LabelHubDbContext db, Project project, IReadOnlyList<LabelField> fields, CancellationToken ct)
    {
        var projectId = project.Id;
        var schema = project.Schema with { Fields = [.. fields] };
        var labelIndexes = fields.Select(f => f.Labels.Select((label, index) => (label, index)).ToDictionary(p => p.label, p => p.index, StringComparer.Ordinal)).ToList();
        // Per field: counts by source (0: no source recorded) and label index.
        var counts = fields.Select(_ => new Dictionary<long, int[]>()).ToList();
        void Count(long? sourceId, Dictionary<string, JsonElement> final)
        {
            for (var f = 0; f < fields.Count; f++)
            {
                var labelField = fields[f];
                if (!final.TryGetValue(labelField.Name, out var value))
                {
                    continue;
                }
                IEnumerable<string> labels = AnswerCodec.Read(labelField, value).Clean switch
                {
                    ChoiceAnswer choice => [choice.Label],
                    MultiChoiceAnswer picked => picked.Labels.Distinct(StringComparer.Ordinal),
                    _ => [],
                };
                foreach (var label in labels)
                {
                    if (labelIndexes[f].TryGetValue(label, out var index))
                    {
                        if (!counts[f].TryGetValue(sourceId ?? 0, out var row))
                        {
                            counts[f][sourceId ?? 0] = row = new int[labelField.Labels.Count];
                        }
                        row[index]++;
                    }
                }
            }
        }

        var golds = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold).Select(i => new { i.SourceId, i.GoldAnswer }).AsAsyncEnumerable();
        await foreach (var gold in golds.WithCancellation(ct))
        {
            Count(gold.SourceId, FinalAnswers.Of(schema, [], gold.GoldAnswer));
        }
        var answers = (
            from a in db.Annotations.AsNoTracking()
            join i in db.Items on a.ItemId equals i.Id
            where a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected && !i.IsGold
            orderby a.ItemId
            select new { a.ItemId, i.SourceId, a.Values }).AsAsyncEnumerable();
        var itemAnswers = new List<IReadOnlyDictionary<string, JsonElement>>();
        (long ItemId, long? SourceId) current = (0, null);
        await foreach (var answer in answers.WithCancellation(ct))
        {
            if (answer.ItemId != current.ItemId && itemAnswers.Count > 0)
            {
                Count(current.SourceId, FinalAnswers.Of(schema, itemAnswers, null));
                itemAnswers.Clear();
            }
            current = (answer.ItemId, answer.SourceId);
            itemAnswers.Add(answer.Values);
        }
        if (itemAnswers.Count > 0)
        {
            Count(current.SourceId, FinalAnswers.Of(schema, itemAnswers, null));
        }

        var itemCounts = await ItemCountsAsync(db, projectId, ct);
        var sources = await db.ItemSources.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Id).ToListAsync(ct);
        var maxShare = project.Targets?.MaxSourceShare ?? DefaultMaxSourceShare;
        return [.. fields.Select((field, f) => Build(field, sources, itemCounts, counts[f], maxShare))];
    }

    private static SourceBalance Build(LabelField field, List<ItemSource> sources, Dictionary<long, int> itemCounts, Dictionary<long, int[]> counts, double maxShare)
    {
        var labels = field.Labels;
        var labelTotals = labels.Select((_, index) => counts.Values.Sum(row => row[index])).ToArray();
        var totalItems = itemCounts.Values.Sum();
        var rows = new List<SourceBalanceRow>();
        var dominant = new List<SourceDominance>();
        var named = sources.Select(s => (Id: (long?)s.Id, s.Name, Kind: (SourceKind?)s.Kind));
        // Items from before sources were recorded get a row of their own when there are any.
        if (itemCounts.ContainsKey(0) || counts.ContainsKey(0))
        {
            named = named.Append((null, "", null));
        }
        foreach (var (id, name, kind) in named)
        {
            var items = itemCounts.GetValueOrDefault(id ?? 0);
            var row = counts.GetValueOrDefault(id ?? 0) ?? new int[labels.Count];
            var itemShare = Share(items, totalItems);
            if (itemShare > maxShare)
            {
                dominant.Add(new SourceDominance(id, name, null, itemShare));
            }
            var cells = new List<SourceLabelCell>(labels.Count);
            for (var index = 0; index < labels.Count; index++)
            {
                var share = Share(row[index], labelTotals[index]);
                cells.Add(new SourceLabelCell(labels[index], row[index], share, share > maxShare));
                if (share > maxShare)
                {
                    dominant.Add(new SourceDominance(id, name, labels[index], share));
                }
            }
            rows.Add(new SourceBalanceRow(id, name, kind, items, itemShare, cells));
        }
        return new SourceBalance(field.Name, labels, labelTotals, totalItems, maxShare, rows, [.. dominant.OrderByDescending(d => d.Share)]);
    }

    private static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>Items per source (0: none recorded), one GROUP BY over the project's items.</summary>
    private static async Task<Dictionary<long, int>> ItemCountsAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId)
            .GroupBy(i => i.SourceId).Select(g => new { SourceId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.SourceId ?? 0, g => g.Count, ct);

    private static SourceInfo Info(ItemSource s, int count) =>
        new(s.Id, s.Name, s.Kind, s.Licence, s.CollectedOn, count, s.ImportJobRunId, s.CreatedAt);

    /// <summary>
    /// The source of an import, made on its first attempt and found by its job on a re-run (so a re-run never records a
    /// second one): what the person importing said, else the file name and <see cref="SourceKind.Upload"/>.
    /// </summary>
    internal static async Task<long> EnsureImportSourceAsync(LabelHubDbContext db, JobRun run, ImportParameters parameters, DateTimeOffset now, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException("An import belongs to a project.");
        var source = parameters.Source ?? new ImportSource(DefaultName(parameters.FileName), SourceKind.Upload);
        return await EnsureAsync(db, projectId, run.Id, run.RequestedById, source, now, ct);
    }

    /// <summary>The one source of a job that makes items (a generator run), made by its first call.</summary>
    internal static async Task<long> EnsureJobSourceAsync(LabelHubDbContext db, Guid projectId, Guid jobRunId, string name, SourceKind kind, DateTimeOffset now, CancellationToken ct)
    {
        var requestedBy = await db.JobRuns.AsNoTracking().Where(r => r.Id == jobRunId).Select(r => r.RequestedById).FirstOrDefaultAsync(ct);
        return await EnsureAsync(db, projectId, jobRunId, requestedBy, new ImportSource(name, kind, "", DateOnly.FromDateTime(now.UtcDateTime)), now, ct);
    }

    private static async Task<long> EnsureAsync(LabelHubDbContext db, Guid projectId, Guid jobRunId, Guid? requestedBy, ImportSource source, DateTimeOffset now, CancellationToken ct)
    {
        var existing = await db.ItemSources.AsNoTracking().Where(s => s.ImportJobRunId == jobRunId).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct);
        if (existing is { } id)
        {
            return id;
        }
        var created = new ItemSource
        {
            ProjectId = projectId,
            Name = Cut(source.Name.Trim(), MaxNameLength),
            Kind = source.Kind,
            Licence = Cut(source.Licence.Trim(), MaxLicenceLength),
            CollectedOn = source.CollectedOn,
            ImportJobRunId = jobRunId,
            CreatedById = requestedBy ?? Guid.Empty,
            CreatedAt = now,
        };
        db.ItemSources.Add(created);
        await db.SaveChangesAsync(ct);
        db.Entry(created).State = EntityState.Detached;
        return created.Id;
    }

    /// <summary>
    /// The source an upload or API call describes, checked: each member optional (<paramref name="defaultName"/> and
    /// <paramref name="defaultKind"/> stand in); a bad kind or date is a <see cref="ValidationException"/> naming its field.
    /// </summary>
    public static ImportSource ImportSourceOf(string? name, string? kind, string? licence, string? collectedOn, string defaultName, SourceKind defaultKind) => new(
        string.IsNullOrWhiteSpace(name) ? DefaultName(defaultName) : CheckName(name, "sourceName"),
        string.IsNullOrWhiteSpace(kind) ? defaultKind : ParseKind(kind, "sourceKind"),
        licence is null ? "" : CheckLicence(licence, "licence"),
        string.IsNullOrWhiteSpace(collectedOn) ? null : ParseDate(collectedOn, "collectedOn"));

    /// <summary>A file's name as a source's name: without its folders, cut to fit.</summary>
    public static string DefaultName(string fileName)
    {
        var name = Path.GetFileName(fileName).Trim();
        return Cut(name.Length == 0 ? "upload" : name, MaxNameLength);
    }

    public static SourceKind ParseKind(string value, string fieldName) =>
        Enum.TryParse<SourceKind>(value.Trim(), ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !value.Trim().All(char.IsAsciiDigit)
            ? kind
            : throw new ValidationException(fieldName, $"'{value}' is not a source kind; use one of {string.Join(", ", Enum.GetNames<SourceKind>())}.");

    /// <summary>A yyyy-MM-dd date; empty clears it (null).</summary>
    public static DateOnly? ParseDate(string value, string fieldName) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new ValidationException(fieldName, $"'{value}' is not a date; write it as yyyy-mm-dd.");

    private static string CheckName(string value, string fieldName)
    {
        var name = value.Trim();
        return name.Length == 0 ? throw new ValidationException(fieldName, "A source needs a name.")
            : name.Length > MaxNameLength ? throw new ValidationException(fieldName, $"A source's name may be at most {MaxNameLength} characters.")
            : name;
    }

    private static string CheckLicence(string value, string fieldName)
    {
        var licence = value.Trim();
        return licence.Length > MaxLicenceLength ? throw new ValidationException(fieldName, $"A licence may be at most {MaxLicenceLength} characters.") : licence;
    }

    private static string Cut(string value, int length) => value.Length <= length ? value : value[..length];
}
