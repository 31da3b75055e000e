using Ganss.Xss;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Markdig;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

public sealed record GuidelineView(int Version, string Markdown, string Html, string ChangeNote, Guid AuthorId, DateTimeOffset CreatedAt);

public sealed record GuidelineVersionInfo(int Version, string ChangeNote, string AuthorName, DateTimeOffset CreatedAt);

public sealed class GuidelineService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxMarkdownLength = 200_000;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = new();

    /// <summary>Markdown to HTML that is safe to put in a page: raw HTML is escaped, then the output is sanitised.</summary>
    public static string Render(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    public async Task<GuidelineView?> CurrentAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var latest = await db.GuidelineVersions.AsNoTracking()
            .Where(g => g.ProjectId == projectId)
            .OrderByDescending(g => g.Version)
            .FirstOrDefaultAsync(ct);
        return latest is null ? null : ToView(latest);
    }

    public async Task<GuidelineView> VersionAsync(Actor actor, Guid projectId, int version, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var found = await db.GuidelineVersions.AsNoTracking()
            .FirstOrDefaultAsync(g => g.ProjectId == projectId && g.Version == version, ct)
            ?? throw new NotFoundException($"Guideline version {version}");
        return ToView(found);
    }

    public async Task<IReadOnlyList<GuidelineVersionInfo>> HistoryAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        return await db.GuidelineVersions.AsNoTracking()
            .Where(g => g.ProjectId == projectId)
            .OrderByDescending(g => g.Version)
            .Join(db.Users, g => g.AuthorId, u => u.Id, (g, u) => new GuidelineVersionInfo(g.Version, g.ChangeNote, u.UserName!, g.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>Saves a new version; earlier versions stay as they were. The project's managers and admins write guidelines.</summary>
    public async Task<GuidelineView> SaveAsync(Actor actor, Guid projectId, string markdown, string? changeNote, CancellationToken ct = default)
    {
        ProjectAccess.EnsureManager(actor);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(markdown))
        {
            errors.Add("markdown", "The guideline is empty.");
        }
        else if (markdown.Length > MaxMarkdownLength)
        {
            errors.Add("markdown", $"A guideline has at most {MaxMarkdownLength:N0} characters.");
        }
        if (changeNote?.Length > 500)
        {
            errors.Add("changeNote", "A change note has at most 500 characters.");
        }
        errors.ThrowIfAny();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        // Two managers saving at once race for the same number; the unique index makes one retry.
        for (var attempt = 0; ; attempt++)
        {
            var next = (await db.GuidelineVersions.Where(g => g.ProjectId == projectId).MaxAsync(g => (int?)g.Version, ct) ?? 0) + 1;
            var version = new GuidelineVersion
            {
                ProjectId = projectId,
                Version = next,
                Markdown = markdown,
                ChangeNote = changeNote?.Trim() ?? "",
                AuthorId = actor.UserId,
                CreatedAt = clock.GetUtcNow(),
            };
            db.GuidelineVersions.Add(version);
            try
            {
                await db.SaveChangesAsync(ct);
                return ToView(version);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.Entry(version).State = EntityState.Detached;
            }
        }
    }

    /// <summary>Records that the user read this version; labeling continues once the latest version is acknowledged.</summary>
    public async Task AcknowledgeAsync(Actor actor, Guid projectId, int version, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        if (!await db.GuidelineVersions.AnyAsync(g => g.ProjectId == projectId && g.Version == version, ct))
        {
            throw new NotFoundException($"Guideline version {version}");
        }
        if (await db.GuidelineAcknowledgements.AnyAsync(a => a.ProjectId == projectId && a.UserId == actor.UserId && a.Version == version, ct))
        {
            return;
        }
        db.GuidelineAcknowledgements.Add(new GuidelineAcknowledgement { ProjectId = projectId, UserId = actor.UserId, Version = version, AcknowledgedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Acknowledged twice at once (two tabs): once is enough; anything else is a real failure.
            db.ChangeTracker.Clear();
            if (!await db.GuidelineAcknowledgements.AnyAsync(a => a.ProjectId == projectId && a.UserId == actor.UserId && a.Version == version, ct))
            {
                throw;
            }
        }
    }

    /// <summary>The latest version if this user has not acknowledged it yet; otherwise null.</summary>
    public async Task<GuidelineView?> PendingAcknowledgementAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        var current = await CurrentAsync(actor, projectId, ct);
        if (current is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var acknowledged = await db.GuidelineAcknowledgements.AnyAsync(a => a.ProjectId == projectId && a.UserId == actor.UserId && a.Version == current.Version, ct);
        return acknowledged ? null : current;
    }

    private static GuidelineView ToView(GuidelineVersion g) =>
        new(g.Version, g.Markdown, Render(g.Markdown), g.ChangeNote, g.AuthorId, g.CreatedAt);
}
