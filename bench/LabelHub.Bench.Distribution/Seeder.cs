using System.Diagnostics;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace LabelHub.Bench.Distribution;

public sealed record Annotator(Guid UserId, string Token);

public sealed record SeededData(Guid ProjectId, IReadOnlyList<Annotator> Annotators);

/// <summary>The second project of --train: Fashion-MNIST images, a manager's token to start rounds, the labeler who answers the first ones.</summary>
/// <param name="LabelOf">The true class of each image, by the item's file name.</param>
public sealed record TrainingProject(Guid ProjectId, string ManagerToken, Annotator Labeler, IReadOnlyDictionary<string, string> LabelOf);

/// <summary>Fills a freshly migrated database through the app's own services, items by binary COPY.</summary>
public static class Seeder
{
    public const string FieldName = "sentiment";

    /// <summary>The training project's single-choice field: the garment's class.</summary>
    public const string GarmentField = "garment";

    public static async Task<SeededData> SeedAsync(IServiceProvider services, string connectionString, BenchOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();
        Guid adminId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // The web app's start-up (UseLabelHubWeb) created the first admin.
            adminId = await db.Users.Where(u => u.UserName == UserAdminService.FirstAdminUserName).Select(u => u.Id).SingleAsync(ct);
        }
        var admin = new Actor(adminId, new HashSet<string> { Roles.Admin });

        var projects = services.GetRequiredService<ProjectService>();
        var schema = new LabelSchema
        {
            Fields = [new LabelField { Name = FieldName, Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true }],
        };
        var project = await projects.CreateAsync(admin, new ProjectInput("Distribution benchmark", "Seeded by LabelHub.Bench.Distribution", schema, options.Overlap), ct);
        Console.WriteLine($"  project {project.Id} (overlap {options.Overlap})");

        await CopyItemsAsync(connectionString, project.Id, options.Items, ct);
        Console.WriteLine($"  {options.Items:N0} items copied after {clock.Elapsed.TotalSeconds:F1} s");

        var tokens = services.GetRequiredService<AccessTokenService>();
        var annotators = new List<Annotator>(options.Annotators);
        using (var scope = services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            for (var i = 0; i < options.Annotators; i++)
            {
                var user = new AppUser
                {
                    Id = Guid.CreateVersion7(),
                    UserName = $"annotator{i:000}",
                    DisplayName = $"Annotator {i:000}",
                    CreatedAt = DateTimeOffset.UtcNow,
                };
                // No password: they only use access tokens, and hashing 200 passwords would only slow the set-up.
                Check(await users.CreateAsync(user));
                Check(await users.AddToRoleAsync(user, Roles.Annotator));
                await projects.AddMemberAsync(admin, project.Id, user.Id, ct);
                var token = await tokens.CreateAsync(user.Id, "bench", null, ct);
                annotators.Add(new Annotator(user.Id, token.Token));
            }
        }
        Console.WriteLine($"  {options.Annotators} annotators with tokens and memberships after {clock.Elapsed.TotalSeconds:F1} s");

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync(ct);
        }
        Console.WriteLine($"  VACUUM ANALYZE done after {clock.Elapsed.TotalSeconds:F1} s");
        return new SeededData(project.Id, annotators);
    }

    /// <summary>
    /// The training project: Fashion-MNIST's first labeled + pool training images stored as PNG files of the project,
    /// one item each as an image import makes them ({"image": media URL, "file_name", "width", "height"}), and a labeler
    /// with a token; the labeler's answers go through the API later (<see cref="RoundDriver"/>).
    /// </summary>
    public static async Task<TrainingProject> SeedTrainingProjectAsync(IServiceProvider services, BenchOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await FashionMnist.EnsureInstalledAsync(ct);
        var images = FashionMnist.Read(options.TrainLabeled + options.TrainPool);
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
            Fields = [new LabelField { Name = GarmentField, Kind = FieldKind.Choice, Labels = [.. FashionMnist.Classes], Required = true }],
        };
        var project = await projects.CreateAsync(admin, new ProjectInput("Fashion-MNIST (training benchmark)", "Seeded by LabelHub.Bench.Distribution --train", schema, 1), ct);

        var labelOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in images.Chunk(1_000))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var image in chunk)
            {
                var name = $"fashion-{image.Index:00000}.png";
                labelOf[name] = FashionMnist.Classes[image.Label];
                var file = StoredFileService.Create(project.Id, adminId, name, "image/png", image.Png, now);
                db.StoredFiles.Add(file);
                db.Items.Add(new Item
                {
                    ProjectId = project.Id,
                    Data = new Dictionary<string, JsonElement>
                    {
                        [MediaUrls.ImageKey] = JsonSerializer.SerializeToElement(MediaUrls.For(project.Id, file.Id)),
                        [MediaUrls.FileNameKey] = JsonSerializer.SerializeToElement(name),
                        [MediaUrls.WidthKey] = JsonSerializer.SerializeToElement(FashionMnist.Side),
                        [MediaUrls.HeightKey] = JsonSerializer.SerializeToElement(FashionMnist.Side),
                    },
                    ContentHash = file.Sha256,
                    SourceLine = image.Index + 1,
                    CreatedAt = now,
                });
            }
            await db.SaveChangesAsync(ct);
        }

        Annotator labeler;
        using (var scope = services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { Id = Guid.CreateVersion7(), UserName = "labeler", DisplayName = "Fashion labeler", CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user));
            Check(await users.AddToRoleAsync(user, Roles.Annotator));
            await projects.AddMemberAsync(admin, project.Id, user.Id, ct);
            var tokens = scope.ServiceProvider.GetRequiredService<AccessTokenService>();
            labeler = new Annotator(user.Id, (await tokens.CreateAsync(user.Id, "bench", null, ct)).Token);
        }
        var managerToken = (await services.GetRequiredService<AccessTokenService>().CreateAsync(adminId, "bench rounds", null, ct)).Token;
        Console.WriteLine($"  training project {project.Id}: {images.Count:N0} Fashion-MNIST images stored after {clock.Elapsed.TotalSeconds:F1} s");
        return new TrainingProject(project.Id, managerToken, labeler, labelOf);
    }

    private static async Task CopyItemsAsync(string connectionString, Guid projectId, int count, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var now = DateTimeOffset.UtcNow;
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY items (project_id, data, content_hash, import_job_run_id, source_line, taken_slots, submitted_count, created_at) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = 1; i <= count; i++)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(projectId, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync($$"""{"text": "item {{i}}"}""", NpgsqlDbType.Jsonb, ct);
            await writer.WriteAsync(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Varchar, ct);
            await writer.WriteNullAsync(ct);
            await writer.WriteAsync(i, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(0, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(0, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
        }
        await writer.CompleteAsync(ct);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
