using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>
/// A migrated SQLite database in a temporary folder, shared by the tests of one class, for components that call the
/// domain services (the labeling page). Each test makes its own user and project in it.
/// </summary>
public sealed class WorkbenchDatabase : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "labelhub-web-tests-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? provider;

    public IDbContextFactory<LabelHubDbContext> Factory => provider!.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();

    /// <summary>A service of the database's own container (the write gate, the settings).</summary>
    public T Service<T>() where T : notnull => provider!.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLabelHubDatabase(DatabaseSettings.ForSqliteFile(Path.Combine(directory, "labelhub.db")));
        provider = services.BuildServiceProvider();
        await DatabaseSetup.MigrateAsync(provider);
    }

    public async Task DisposeAsync()
    {
        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>An admin (who may label any project) with a row in the users table.</summary>
    public async Task<Actor> CreateUserAsync()
    {
        var id = Guid.NewGuid();
        var name = "annotator-" + id.ToString("N")[..8];
        await using var db = await Factory.CreateDbContextAsync();
        db.Users.Add(new AppUser
        {
            Id = id,
            UserName = name,
            NormalizedUserName = name.ToUpperInvariant(),
            DisplayName = "Annotator",
            SecurityStamp = Guid.NewGuid().ToString(),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return new Actor(id, new HashSet<string> { Roles.Admin });
    }

    public async Task<Guid> CreateProjectAsync(Actor owner, params LabelField[] fields)
    {
        var project = await new ProjectService(Factory, TimeProvider.System)
            .CreateAsync(owner, new ProjectInput("Workbench " + Guid.NewGuid().ToString("N")[..6], null, new LabelSchema { Fields = fields }, Overlap: 1));
        return project.Id;
    }

    public async Task<long> AddItemAsync(Guid projectId, object data)
    {
        await using var db = await Factory.CreateDbContextAsync();
        var item = new Item
        {
            ProjectId = projectId,
            Data = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(data))!,
            ContentHash = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Items.Add(item);
        await db.SaveChangesAsync();
        return item.Id;
    }

    /// <summary>
    /// Stored as is, without the checks of the predictions API: suggestions made before the schema changed may no
    /// longer fit it, and the workbench must cope.
    /// </summary>
    public async Task AddPredictionAsync(Guid projectId, long itemId, string modelVersion, double? score, object values)
    {
        await using var db = await Factory.CreateDbContextAsync();
        db.Predictions.Add(new Prediction
        {
            ProjectId = projectId,
            ItemId = itemId,
            ModelVersion = modelVersion,
            Score = score,
            Values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(values))!,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }
}
