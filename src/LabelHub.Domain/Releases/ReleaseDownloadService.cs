using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases.Formats;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>A release download ready to stream: its file name and the writer of its archive.</summary>
public sealed record ReleaseDownload(string FileName, Func<Stream, CancellationToken, Task> WriteAsync);

/// <summary>
/// Release downloads (ADR 0020): a ZIP per format generated from the stored release, never from the live project, so the
/// same release downloads to the same bytes every time. Each archive holds the format's files, <c>datasheet.md</c> (English),
/// <c>datasheet.ko.md</c> (Korean) and <c>manifest.jsonl</c> (every item's id, split and content hash, and a synthetic item's origin).
/// </summary>
public sealed class ReleaseDownloadService(IDbContextFactory<LabelHubDbContext> dbFactory, StoredFileService files)
{
    private const int PageSize = 2000;

    public static readonly IReadOnlyList<IReleaseFormatWriter> Writers =
    [
        new JsonlReleaseWriter(), new CsvReleaseWriter(), new LabelStudioWriter(), new CocoWriter(), new YoloWriter(), new PascalVocWriter(),
        new ConllReleaseWriter(), new HuggingFaceReleaseWriter(),
    ];

    /// <summary>Checks the caller, the release and the format; the archive is written when the response streams.</summary>
    public async Task<ReleaseDownload> PrepareAsync(Actor actor, Guid projectId, int number, string? format, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct)
            ?? throw new NotFoundException("Release");
        if (!Enum.TryParse<ReleaseFormat>(format, ignoreCase: true, out var chosen) || !Enum.IsDefined(chosen))
        {
            throw new ValidationException("format", $"The format must be one of: {string.Join(", ", Enum.GetNames<ReleaseFormat>())}.");
        }
        if (release.State != ReleaseState.Ready)
        {
            throw new ConflictException("This release is not cut yet (or its cut failed).");
        }
        var writer = Writers.Single(w => w.Format == chosen);
        if (writer.CannotWrite(project.Schema) is { } reason)
        {
            throw new ValidationException("format", reason);
        }
        var media = new StoredMedia(files, project);
        // Generator names for the synthetic items a release may hold (asked for when cut): a handful of rows, read once.
        var generators = ReleaseService.ReadSettings(release.SettingsJson)?.Filter.IncludeSynthetic == true
            ? await db.Generators.AsNoTracking().Where(g => g.ProjectId == projectId).ToDictionaryAsync(g => g.Id, g => g.Name, ct)
            : null;
        var context = new ReleaseWriteContext(project.Name, release.Number, project.Schema, SplitNames.All, media,
            token => EntriesAsync(release.Id, media, generators, token));
        var safe = new string([.. project.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-')]).Trim('-');
        var fileName = $"{(safe.Length == 0 ? "project" : safe)}-release-{release.Number}-{chosen.ToString().ToLowerInvariant()}.zip";
        return new ReleaseDownload(fileName, (output, token) => ReleaseZip.WriteArchiveAsync(output, async (zip, ct) =>
        {
            await writer.WriteAsync(context, zip, ct);
            await WriteDatasheetAsync(zip, "datasheet.md", release.Datasheet ?? "", ct);
            // A release cut before datasheets were written in Korean cannot get one (it is frozen): its English one stands in.
            await WriteDatasheetAsync(zip, "datasheet.ko.md", release.DatasheetKorean ?? release.Datasheet ?? "", ct);
            await WriteManifestAsync(zip, release.Id, generators, ct);
        }, token));
    }

    /// <summary>A datasheet stored when the release was cut, as UTF-8 without a byte-order mark.</summary>
    private static async Task WriteDatasheetAsync(ZipArchive zip, string name, string datasheet, CancellationToken ct)
    {
        await using var stream = await ReleaseZip.Create(zip, name).OpenAsync(ct);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(datasheet), ct);
    }

    /// <summary>
    /// manifest.jsonl: a line per item {item_id, split, content_hash}, and for a synthetic item its origin
    /// (<c>synthetic: {generator, class, seed}</c>); <paramref name="generators"/> is null when the release holds none.
    /// </summary>
    private async Task WriteManifestAsync(ZipArchive zip, long releaseId, Dictionary<Guid, string>? generators, CancellationToken ct)
    {
        await using var stream = await ReleaseZip.Create(zip, "manifest.jsonl").OpenAsync(ct);
        await using var output = new JsonLinesOutput(stream);
        var writer = output.Json;
        long after = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var page = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == releaseId && i.ItemId > after).OrderBy(i => i.ItemId).Take(PageSize)
                .Select(i => new { i.ItemId, i.Split, i.ContentHash }).ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }
            var synthetic = generators is null ? [] : await SyntheticOfAsync(db, page.Select(r => r.ItemId).ToList(), generators, ct);
            foreach (var row in page)
            {
                writer.WriteStartObject();
                writer.WriteNumber("item_id", row.ItemId);
                writer.WriteString("split", SplitNames.All[row.Split]);
                writer.WriteString("content_hash", row.ContentHash);
                if (synthetic.TryGetValue(row.ItemId, out var origin))
                {
                    origin.WriteTo(writer);
                }
                writer.WriteEndObject();
                await output.EndLineAsync(ct);
            }
            after = page[^1].ItemId;
        }
    }

    /// <summary>The synthetic items among a page's ids, with their origin (one query per page).</summary>
    private static async Task<Dictionary<long, ReleaseSynthetic>> SyntheticOfAsync(LabelHubDbContext db, List<long> ids, Dictionary<Guid, string> generators, CancellationToken ct)
    {
        var rows = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id) && i.SyntheticGeneratorId != null)
            .Select(i => new { i.Id, i.SyntheticGeneratorId, i.SyntheticLabel, i.SyntheticSeed }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => new ReleaseSynthetic(generators[r.SyntheticGeneratorId!.Value], r.SyntheticLabel ?? "", r.SyntheticSeed ?? 0));
    }

    /// <summary>
    /// The release's items by split, then item id, each with its data and stored final answers (and, for a synthetic
    /// item, its origin). The stored images of a page are looked up together before its entries are handed out (one
    /// query per page, not one per image).
    /// </summary>
    private async IAsyncEnumerable<ReleaseEntry> EntriesAsync(long releaseId, StoredMedia media, Dictionary<Guid, string>? generators, [EnumeratorCancellation] CancellationToken ct)
    {
        var page = new List<ReleaseEntry>(PageSize);
        for (short split = 0; split < SplitNames.All.Count; split++)
        {
            long after = 0;
            while (true)
            {
                page.Clear();
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    var rows = await db.ReleaseItems.AsNoTracking()
                        .Where(i => i.ReleaseId == releaseId && i.Split == split && i.ItemId > after).OrderBy(i => i.ItemId).Take(PageSize)
                        .ToListAsync(ct);
                    if (rows.Count == 0)
                    {
                        break;
                    }
                    var ids = rows.Select(r => r.ItemId).ToList();
                    var data = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Data, ct);
                    var synthetic = generators is null ? [] : await SyntheticOfAsync(db, ids, generators, ct);
                    foreach (var row in rows)
                    {
                        var answers = JsonSerializer.Deserialize<Dictionary<string, FinalAnswer>>(row.AnswersJson, JsonColumn.Options) ?? [];
                        page.Add(new ReleaseEntry(row.ItemId, SplitNames.All[split], row.ContentHash, data[row.ItemId], answers)
                        {
                            Synthetic = synthetic.GetValueOrDefault(row.ItemId),
                        });
                    }
                }
                await media.LoadPageAsync(page, ct);
                foreach (var entry in page)
                {
                    yield return entry;
                }
                after = page[^1].ItemId;
            }
        }
    }

    /// <summary>
    /// An item's image from the project's stored files (images linked by URL are not fetched). The content types of a
    /// page's images are loaded with <see cref="LoadPageAsync"/>; an entry from elsewhere is looked up on its own.
    /// </summary>
    private sealed class StoredMedia(StoredFileService files, Project project) : IReleaseMedia
    {
        private readonly string imageKey = project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnImage)
            .Select(f => f.SourceKey).FirstOrDefault() ?? MediaUrls.ImageKey;

        // The files the current page names, and the content types of those that are complete.
        private readonly HashSet<Guid> pageFiles = [];
        private Dictionary<Guid, string> pageTypes = [];

        public async Task LoadPageAsync(IReadOnlyList<ReleaseEntry> page, CancellationToken ct)
        {
            pageFiles.Clear();
            foreach (var entry in page)
            {
                if (StoredFileOf(entry) is { } fileId)
                {
                    pageFiles.Add(fileId);
                }
            }
            pageTypes = await files.ContentTypesAsync(pageFiles, ct);
        }

        public async Task<ReleaseImage?> ImageAsync(ReleaseEntry entry, CancellationToken ct)
        {
            if (StoredFileOf(entry) is not { } fileId || !MediaUrls.TryGetSize(entry.Data, out var width, out var height))
            {
                return null;
            }
            var fileName = entry.Data.TryGetValue(MediaUrls.FileNameKey, out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : $"{entry.ItemId}";
            var contentType = pageFiles.Contains(fileId) ? pageTypes.GetValueOrDefault(fileId) : await files.ContentTypeAsync(fileId, ct);
            return contentType is null ? null : new ReleaseImage(fileName, contentType, width, height, token => files.OpenReadAsync(fileId, token));
        }

        private Guid? StoredFileOf(ReleaseEntry entry) =>
            MediaUrls.TryGetImage(entry.Data, imageKey, project.Id, out var url) && MediaUrls.TryGetStoredFileId(url, project.Id, out var fileId) ? fileId : null;
    }
}
