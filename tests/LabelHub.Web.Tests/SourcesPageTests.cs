using System.Security.Claims;
using System.Text.Json;
using Bunit;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Collection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The sources page against the real source service on a SQLite database: the table, a correction, the balance.</summary>
public sealed class SourcesPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Animal = new() { Name = "animal", Kind = FieldKind.Choice, Labels = ["cat", "dog"] };

    private readonly WorkbenchDatabase database;

    public SourcesPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<SourceService>();
    }

    /// <summary>Two sources: "Shelter photos" with 11 items (10 cats answered), "Web crawl" with 2 (one cat, one dog).</summary>
    private async Task<(Actor User, Guid ProjectId, long ShelterId)> SeedAsync()
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Animal);
        await using var db = await database.Factory.CreateDbContextAsync();
        var shelter = new ItemSource { ProjectId = projectId, Name = "Shelter photos", Kind = SourceKind.Upload, Licence = "proprietary", CreatedAt = DateTimeOffset.UtcNow };
        var crawl = new ItemSource { ProjectId = projectId, Name = "Web crawl", Kind = SourceKind.Crawl, CreatedAt = DateTimeOffset.UtcNow };
        db.ItemSources.AddRange(shelter, crawl);
        await db.SaveChangesAsync();
        var labels = Enumerable.Repeat((shelter.Id, (string?)"cat"), 10).Append((shelter.Id, null)).Append((crawl.Id, "cat")).Append((crawl.Id, "dog"));
        var n = 0;
        foreach (var (sourceId, label) in labels)
        {
            var item = new Item
            {
                ProjectId = projectId,
                SourceId = sourceId,
                ContentHash = $"h{n}",
                Data = new() { ["text"] = JsonSerializer.SerializeToElement($"item {n++}") },
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Items.Add(item);
            await db.SaveChangesAsync();
            if (label is not null)
            {
                db.Annotations.Add(new Annotation
                {
                    ProjectId = projectId,
                    ItemId = item.Id,
                    AnnotatorId = user.UserId,
                    AuthorId = user.UserId,
                    Version = 1,
                    IsCurrent = true,
                    Values = new() { ["animal"] = JsonSerializer.SerializeToElement(label) },
                    CreatedAt = DateTimeOffset.UtcNow,
                });
            }
        }
        await db.SaveChangesAsync();
        return (user, projectId, shelter.Id);
    }

    private IRenderedComponent<SourcesPage> RenderFor(Actor user, Guid projectId)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        return Render<SourcesPage>(p => p.Add(c => c.ProjectId, projectId));
    }

    [Fact]
    public async Task The_page_lists_the_sources_and_marks_the_source_that_dominates_a_label_in_red()
    {
        var (user, projectId, _) = await SeedAsync();

        var page = RenderFor(user, projectId);
        await page.WaitForElementAsync("[data-testid=balance-table]", TimeSpan.FromSeconds(20));

        Assert.Equal(["Shelter photos", "Web crawl"], page.FindAll("[data-testid=source-name]").Select(c => c.TextContent));
        Assert.Equal(["11", "2"], page.FindAll("[data-testid=source-items]").Select(c => c.TextContent));
        Assert.Equal(["Upload", "Crawl"], page.FindAll("[data-testid=source-kind]").Select(c => c.TextContent));
        // Shelter holds 10 of 11 cats and 11 of 13 items; the crawl holds the one dog.
        Assert.Equal(
            ["Source Web crawl holds 100 % of label 'dog'", "Source Shelter photos holds 91 % of label 'cat'", "Source Shelter photos holds 85 % of all items"],
            page.FindAll("[data-testid=balance-dominant]").Select(a => a.TextContent.Trim()));
        var cells = page.FindAll("[data-testid=balance-cell]");
        Assert.Equal(["10 (91 %)", "0 (0 %)", "1 (9 %)", "1 (100 %)"], cells.Select(c => string.Join(' ', c.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
        Assert.Equal(["true", "false", "false", "true"], cells.Select(c => c.GetAttribute("data-dominant")));
    }

    [Fact]
    public async Task A_source_is_corrected_in_its_row_and_enter_saves_it()
    {
        var (user, projectId, shelterId) = await SeedAsync();
        var page = RenderFor(user, projectId);
        await page.WaitForElementAsync("[data-testid=source-edit]", TimeSpan.FromSeconds(20));

        await page.FindAll("[data-testid=source-edit]")[0].ClickAsync(new());
        var form = page.Find("[data-testid=source-edit-form]");
        page.Find("input[data-testid=import-source-name]").Input("Shelter photos 2026");
        page.Find("input[data-testid=import-source-date]").Input("2026-11-02");
        page.Find("input[data-testid=import-source-licence]").Input("CC BY 4.0");
        await page.Find("[data-testid=source-edit-form]").SubmitAsync();

        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("[data-testid=source-edit-form]")), TimeSpan.FromSeconds(20));
        Assert.Equal("Shelter photos 2026", page.FindAll("[data-testid=source-name]")[0].TextContent);
        Assert.Equal("2026-11-02", page.FindAll("[data-testid=source-date]")[0].TextContent);
        await using var db = await database.Factory.CreateDbContextAsync();
        var saved = await db.ItemSources.AsNoTracking().SingleAsync(s => s.Id == shelterId);
        Assert.Equal(("Shelter photos 2026", "CC BY 4.0", (DateOnly?)new DateOnly(2026, 11, 2)), (saved.Name, saved.Licence, saved.CollectedOn));
        Assert.NotNull(form);
    }

    [Fact]
    public async Task An_empty_name_is_refused_in_the_row_and_nothing_changes()
    {
        var (user, projectId, shelterId) = await SeedAsync();
        var page = RenderFor(user, projectId);
        await page.WaitForElementAsync("[data-testid=source-edit]", TimeSpan.FromSeconds(20));

        await page.FindAll("[data-testid=source-edit]")[0].ClickAsync(new());
        page.Find("input[data-testid=import-source-name]").Input(" ");
        await page.Find("[data-testid=source-edit-form]").SubmitAsync();

        await page.WaitForElementAsync("[data-testid=source-edit-error]", TimeSpan.FromSeconds(20));
        Assert.Equal("A source needs a name.", page.Find("[data-testid=source-edit-error]").TextContent.Trim());
        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.Equal("Shelter photos", (await db.ItemSources.AsNoTracking().SingleAsync(s => s.Id == shelterId)).Name);
    }
}
