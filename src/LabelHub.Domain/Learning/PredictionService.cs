using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Learning;

public sealed record PredictionInput(long ItemId, string ModelVersion, double? Score, Dictionary<string, JsonElement> Values);

/// <summary>Stores model predictions (from our own jobs or an external model) to show as suggestions in the workbench.</summary>
public sealed class PredictionService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxPerRequest = 10_000;

    /// <summary>All or nothing: every prediction is checked (item in the project, values valid for the schema) first.</summary>
    public async Task<int> AddAsync(Actor actor, Guid projectId, IReadOnlyList<PredictionInput> predictions, CancellationToken ct = default)
    {
        if (predictions.Count == 0 || predictions.Count > MaxPerRequest)
        {
            throw new ValidationException("predictions", $"Send 1 to {MaxPerRequest:N0} predictions per request.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var ids = predictions.Select(p => p.ItemId).Distinct().ToList();
        var items = new Dictionary<long, Dictionary<string, JsonElement>>();
        foreach (var chunk in ids.Chunk(1000))
        {
            foreach (var item in await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && chunk.Contains(i.Id)).Select(i => new { i.Id, i.Data }).ToListAsync(ct))
            {
                items[item.Id] = item.Data;
            }
        }
        var errors = new ValidationErrors();
        for (var i = 0; i < predictions.Count; i++)
        {
            var prediction = predictions[i];
            var key = $"predictions[{i}]";
            if (!items.TryGetValue(prediction.ItemId, out var data))
            {
                errors.Add($"{key}.itemId", $"Item {prediction.ItemId} is not in this project.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(prediction.ModelVersion) || prediction.ModelVersion.Length > 100)
            {
                errors.Add($"{key}.modelVersion", "Name the model version (1 to 100 characters).");
            }
            if (prediction.Score is { } score && (score is < 0 or > 1 || double.IsNaN(score)))
            {
                errors.Add($"{key}.score", "A score is between 0 and 1.");
            }
            try
            {
                AnnotationValidator.Validate(project.Schema with { Fields = [.. project.Schema.Fields.Select(f => f with { Required = false })] }, prediction.Values ?? [], data);
            }
            catch (ValidationException invalid)
            {
                foreach (var (field, messages) in invalid.Errors)
                {
                    errors.Add($"{key}.{field}", string.Join(" ", messages));
                }
            }
        }
        errors.ThrowIfAny();
        var now = clock.GetUtcNow();
        db.Predictions.AddRange(predictions.Select(p => new Prediction
        {
            ProjectId = projectId,
            ItemId = p.ItemId,
            ModelVersion = p.ModelVersion.Trim(),
            Score = p.Score,
            Values = p.Values,
            CreatedAt = now,
        }));
        await db.SaveChangesAsync(ct);
        return predictions.Count;
    }
}
