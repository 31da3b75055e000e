using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Learning;

/// <summary>An item with its aggregated label (index into the field's labels) and how many answers made it.</summary>
/// <param name="Answers">0 for a gold item whose gold answer is the label.</param>
public sealed record LabeledExample(long ItemId, int Label, int Answers, IReadOnlyDictionary<string, JsonElement> Data);

/// <summary>What a learning job needs to know about its project.</summary>
/// <param name="SourceKey">The item key holding the image or text the model reads; null for records.</param>
public sealed record LearningProject(Project Project, LabelField Field, ModelKind Kind, string? SourceKey);

/// <summary>A pick as the round stores it; <see cref="Index"/>-free, by item.</summary>
public sealed record RoundPickDraft(long ItemId, double Score, string Reason, string? PredictedLabel, double? Confidence);

/// <summary>A model's prediction for an unlabeled item, stored as a suggestion.</summary>
public readonly record struct PoolPrediction(long ItemId, string Label, double Score);

/// <summary>
/// The Learning stage's data, for the jobs in Workers: the project's aggregated labels, its unlabeled pool and
/// images, and where rounds, models and predictions are stored. Writes go in short transactions so annotators
/// working meanwhile never wait long for the database.
/// </summary>
public sealed class LearningData(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int ChunkSize = 2_000;

    /// <summary>The field a project's model learns: the configured one, else the schema's first single-choice field.</summary>
    public static LabelField? FieldOf(Project project)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project.Learning.Field is { } name)
        {
            return project.Schema.Field(name) is { Kind: FieldKind.Choice } configured ? configured : null;
        }
        return project.Schema.Fields.FirstOrDefault(f => f.Kind == FieldKind.Choice);
    }

    /// <summary>Items nobody has answered (gold items are never in the pool: their answer is known).</summary>
    public static IQueryable<Item> PoolQuery(LabelHubDbContext db, Guid projectId) =>
        db.Items.Where(i => i.ProjectId == projectId && !i.IsGold && i.SubmittedCount == 0);

    /// <summary>Items with at least one answer, or gold: a fast upper bound of the labeled items for the status line.</summary>
    public static Task<int> CountLabeledAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        db.Items.CountAsync(i => i.ProjectId == projectId && (i.SubmittedCount > 0 || i.IsGold), ct);

    /// <summary>
    /// The model kind a project's data calls for, from a sample of its items: images when most have an image,
    /// text when most have the text a span field reads (or a "text" value), records otherwise.
    /// </summary>
    public static async Task<ModelKind> ChooseKindAsync(LabelHubDbContext db, Project project, CancellationToken ct) =>
        (await ChooseInputAsync(db, project, ct)).Kind;

    private static async Task<(ModelKind Kind, string? SourceKey)> ChooseInputAsync(LabelHubDbContext db, Project project, CancellationToken ct)
    {
        var sample = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id).Take(200).Select(i => i.Data).ToListAsync(ct);
        if (sample.Count == 0)
        {
            return (ModelKind.RecordMlp, null);
        }
        var imageKey = project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnImage).Select(f => f.SourceKey).FirstOrDefault() ?? MediaUrls.ImageKey;
        if (sample.Count(d => MediaUrls.TryGetImage(d, imageKey, project.Id, out _)) * 2 > sample.Count)
        {
            return (ModelKind.ImageCnn, imageKey);
        }
        var textKeys = project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnText).Select(f => f.SourceKey!)
            .Append(FieldKinds.DefaultTextKey).Distinct(StringComparer.Ordinal);
        foreach (var key in textKeys)
        {
            if (sample.Count(d => d.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String) * 2 > sample.Count)
            {
                return (ModelKind.TextMlp, key);
            }
        }
        // A record whose one long string field carries the content is text too (reviews, tickets, captions).
        var longText = sample.SelectMany(d => d.Where(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Contains(' ', StringComparison.Ordinal)
                && p.Value.GetString()!.Length >= 20).Select(p => p.Key))
            .GroupBy(k => k, StringComparer.Ordinal).OrderByDescending(g => g.Count()).FirstOrDefault();
        if (longText is not null && longText.Count() * 2 > sample.Count && sample[0].Count <= 3)
        {
            return (ModelKind.TextMlp, longText.Key);
        }
        return (ModelKind.RecordMlp, null);
    }

    public async Task<LearningProject> ProjectAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct) ?? throw new NotFoundException("Project");
        var field = FieldOf(project) ?? throw new ValidationException("field", "This project has no single-choice field; a model learns one single-choice field.");
        var (kind, sourceKey) = await ChooseInputAsync(db, project, ct);
        return new LearningProject(project, field, kind, sourceKey);
    }

    /// <summary>
    /// Every item's label for the field: the gold answer for gold items, else the majority of the current answers
    /// that were not rejected in review. Ties are left out: the label a model would learn there is a coin toss.
    /// </summary>
    public async Task<IReadOnlyList<LabeledExample>> LabeledAsync(Guid projectId, LabelField field, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var answers = new List<(Guid Annotator, long Item, string Answer)>();
        var rows = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .Select(a => new { a.AnnotatorId, a.ItemId, a.Values }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (AnswerCodec.Read(field, row.Values).Clean is ChoiceAnswer choice)
            {
                answers.Add((row.AnnotatorId, row.ItemId, choice.Label));
            }
        }
        var labels = field.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var chosen = new Dictionary<long, (int Label, int Answers)>();
        if (answers.Count > 0)
        {
            var categorical = CategoricalAnswers.From(answers, field.Labels);
            var counts = answers.GroupBy(a => a.Item).ToDictionary(g => g.Key, g => g.Count());
            foreach (var item in MajorityVote.Aggregate(categorical).Items.Where(i => !i.Tie))
            {
                chosen[item.Item] = (labels[item.Label], counts[item.Item]);
            }
        }
        var gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold).Select(i => new { i.Id, i.GoldAnswer }).ToListAsync(ct);
        foreach (var g in gold)
        {
            if (g.GoldAnswer.TryGetValue(field.Name, out var value) && AnswerCodec.Read(field, value).Clean is ChoiceAnswer choice
                && labels.TryGetValue(choice.Label, out var index))
            {
                chosen[g.Id] = (index, chosen.TryGetValue(g.Id, out var had) ? had.Answers : 0);
            }
        }
        var data = await ItemsAsync(db, [.. chosen.Keys], ct);
        return [.. chosen.OrderBy(c => c.Key).Where(c => data.ContainsKey(c.Key)).Select(c => new LabeledExample(c.Key, c.Value.Label, c.Value.Answers, data[c.Key]))];
    }

    /// <summary>The unlabeled pool's item ids, in id order.</summary>
    public async Task<long[]> PoolIdsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        return await PoolQuery(db, projectId).OrderBy(i => i.Id).Select(i => i.Id).ToArrayAsync(ct);
    }

    /// <summary>The data of the given items (missing ones are left out).</summary>
    public async Task<Dictionary<long, IReadOnlyDictionary<string, JsonElement>>> ItemsAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ItemsAsync(db, ids, ct);
    }

    private static async Task<Dictionary<long, IReadOnlyDictionary<string, JsonElement>>> ItemsAsync(LabelHubDbContext db, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var result = new Dictionary<long, IReadOnlyDictionary<string, JsonElement>>(ids.Count);
        foreach (var chunk in ids.Chunk(ChunkSize))
        {
            foreach (var item in await db.Items.AsNoTracking().Where(i => chunk.Contains(i.Id)).Select(i => new { i.Id, i.Data }).ToListAsync(ct))
            {
                result[item.Id] = item.Data;
            }
        }
        return result;
    }

    /// <summary>
    /// The stored image bytes of the given items, by item id. Images linked by an external URL are not fetched
    /// (jobs do not reach out to the internet); such items are missing from the result and the job reports them.
    /// </summary>
    public async Task<Dictionary<long, byte[]>> ImagesAsync(Guid projectId, IReadOnlyDictionary<long, IReadOnlyDictionary<string, JsonElement>> items, string imageKey, CancellationToken ct)
    {
        var fileOf = new Dictionary<Guid, List<long>>();
        foreach (var (itemId, data) in items)
        {
            if (MediaUrls.TryGetImage(data, imageKey, projectId, out var url) && MediaUrls.TryGetStoredFileId(url, projectId, out var fileId))
            {
                if (!fileOf.TryGetValue(fileId, out var list))
                {
                    fileOf[fileId] = list = [];
                }
                list.Add(itemId);
            }
        }
        var result = new Dictionary<long, byte[]>(items.Count);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var chunk in fileOf.Keys.Chunk(500))
        {
            var parts = await db.StoredFileChunks.AsNoTracking()
                .Where(c => chunk.Contains(c.FileId) && db.StoredFiles.Any(f => f.Id == c.FileId && f.ProjectId == projectId && f.IsComplete))
                .OrderBy(c => c.FileId).ThenBy(c => c.Sequence)
                .Select(c => new { c.FileId, c.Bytes }).ToListAsync(ct);
            foreach (var file in parts.GroupBy(c => c.FileId))
            {
                // Images are one chunk unless bigger than a chunk.
                var bytes = file.Count() == 1 ? file.First().Bytes : file.SelectMany(c => c.Bytes).ToArray();
                foreach (var itemId in fileOf[file.Key])
                {
                    result[itemId] = bytes;
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Opens (or, when the same job runs again after a crash, re-opens) the round of <paramref name="jobRunId"/>:
    /// whatever an earlier attempt of this job stored is removed first, so a re-run replaces it.
    /// </summary>
    public async Task<LearningRound> BeginRoundAsync(Guid projectId, Guid jobRunId, RoundTrigger trigger, LearningSettings settings, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RemoveAttemptAsync(db, jobRunId, ct);
        var upTo = await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => (long?)a.Id, ct) ?? 0;
        var number = (await db.LearningRounds.Where(r => r.ProjectId == projectId).MaxAsync(r => (int?)r.Number, ct) ?? 0) + 1;
        var round = new LearningRound
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Number = number,
            JobRunId = jobRunId,
            Trigger = trigger,
            Strategy = settings.Strategy,
            Diversity = settings.Diversity,
            UpToAnnotationId = upTo,
            CreatedAt = clock.GetUtcNow(),
        };
        db.LearningRounds.Add(round);
        await db.SaveChangesAsync(ct);
        return round;
    }

    /// <summary>Removes what an earlier attempt of a learning job stored (its round, picks and model), so a re-run replaces it.</summary>
    public async Task RemoveAttemptAsync(Guid jobRunId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RemoveAttemptAsync(db, jobRunId, ct);
    }

    private static async Task RemoveAttemptAsync(LabelHubDbContext db, Guid jobRunId, CancellationToken ct)
    {
        await db.LearningRounds.Where(r => r.JobRunId == jobRunId).ExecuteDeleteAsync(ct);
        var models = await db.ModelVersions.Where(m => m.JobRunId == jobRunId).Select(m => new { m.Id, m.CheckpointFileId, m.TrainingSetFileId }).ToListAsync(ct);
        if (models.Count > 0)
        {
            var ids = models.Select(m => m.Id).ToList();
            var fileIds = models.SelectMany(m => new[] { m.CheckpointFileId, m.TrainingSetFileId }).ToList();
            await db.ModelVersions.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(ct);
            await StoredFileService.DeleteAsync(db, fileIds, ct);
        }
    }

    /// <summary>Stores a trained model: its weights, the items and answers it saw (JSON lines), and its figures. The version is the next free one.</summary>
    public async Task<ModelVersion> SaveModelAsync(ModelVersion model, byte[] checkpoint, IEnumerable<(LabeledExample Example, bool Validation)> seen, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        var manifest = new StringBuilder();
        foreach (var (example, validation) in seen)
        {
            manifest.Append(JsonSerializer.Serialize(new
            {
                itemId = example.ItemId,
                label = model.Labels[example.Label],
                answers = example.Answers,
                split = validation ? "validation" : "train",
            }, JsonColumn.Options)).Append('\n');
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        model.Version = (await db.ModelVersions.Where(m => m.ProjectId == model.ProjectId).MaxAsync(m => (int?)m.Version, ct) ?? 0) + 1;
        var now = clock.GetUtcNow();
        var weights = StoredFileService.Create(model.ProjectId, null, $"model-v{model.Version}.ts", "application/octet-stream", checkpoint, now);
        var trainingSet = StoredFileService.Create(model.ProjectId, null, $"model-v{model.Version}-training-set.jsonl", "application/x-ndjson", Encoding.UTF8.GetBytes(manifest.ToString()), now);
        model.Id = Guid.CreateVersion7();
        model.CheckpointFileId = weights.Id;
        model.TrainingSetFileId = trainingSet.Id;
        model.TrainedAt = now;
        db.StoredFiles.AddRange(weights, trainingSet);
        db.ModelVersions.Add(model);
        await db.SaveChangesAsync(ct);
        return model;
    }

    public async Task<byte[]> CheckpointAsync(ModelVersion model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await StoredFileService.ReadAllBytesAsync(db, model.CheckpointFileId, ct);
    }

    /// <summary>The newest model of a project, if any.</summary>
    public async Task<ModelVersion?> LatestModelAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId).OrderByDescending(m => m.Version).FirstOrDefaultAsync(ct);
    }

    /// <summary>Every model of a project, oldest first (the learning curve).</summary>
    public async Task<IReadOnlyList<ModelVersion>> ModelsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ModelVersions.AsNoTracking().Where(m => m.ProjectId == projectId).OrderBy(m => m.Version).ToListAsync(ct);
    }

    /// <summary>
    /// Finishes a round: its picks go to the front of the queue (priority = round number plus a share for rank, so a
    /// newer round's picks come before an older one's and the best pick first), earlier rounds' unanswered picks fall
    /// back to the ordinary order, and the model's predictions replace the previous LabelHub suggestions.
    /// </summary>
    public async Task FinishRoundAsync(LearningRound round, IReadOnlyList<RoundPickDraft> picks, IReadOnlyList<PoolPrediction> predictions, ModelVersion? model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(picks);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        if (model is not null && predictions.Count > 0)
        {
            await ReplacePredictionsAsync(db, round.ProjectId, predictions, model, ct);
        }
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var earlier = db.RoundPicks.Where(p => db.LearningRounds.Any(r => r.Id == p.RoundId && r.ProjectId == round.ProjectId && r.Id != round.Id)).Select(p => p.ItemId);
            await db.Items.Where(i => i.ProjectId == round.ProjectId && i.SubmittedCount == 0 && earlier.Contains(i.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, 0.0), ct);
            var rank = 0;
            foreach (var pick in picks)
            {
                rank++;
                var priority = round.Number + (picks.Count - rank + 1) / (picks.Count + 1.0);
                await db.Items.Where(i => i.Id == pick.ItemId && i.ProjectId == round.ProjectId)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, priority), ct);
                db.RoundPicks.Add(new RoundPick
                {
                    RoundId = round.Id,
                    ItemId = pick.ItemId,
                    Rank = rank,
                    Score = double.IsFinite(pick.Score) ? pick.Score : 0,
                    Reason = pick.Reason.Length > 300 ? pick.Reason[..300] : pick.Reason,
                    PredictedLabel = pick.PredictedLabel,
                    Confidence = pick.Confidence,
                });
            }
            var stored = await db.LearningRounds.SingleAsync(r => r.Id == round.Id, ct);
            stored.ColdStart = round.ColdStart;
            stored.ModelVersionId = round.ModelVersionId;
            stored.LabeledCount = round.LabeledCount;
            stored.PoolSize = round.PoolSize;
            stored.ExpectedAccuracy = round.ExpectedAccuracy;
            stored.GainLabels = round.GainLabels;
            stored.ScoringSeconds = round.ScoringSeconds;
            stored.FinishedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>Deletes the project's earlier LabelHub predictions and stores these, chunk by chunk (short write transactions).</summary>
    private async Task ReplacePredictionsAsync(LabelHubDbContext db, Guid projectId, IReadOnlyList<PoolPrediction> predictions, ModelVersion model, CancellationToken ct)
    {
        var ours = ModelVersion.NameOf(0)[..^1];
        var old = await db.Predictions.Where(p => p.ProjectId == projectId && p.ModelVersion.StartsWith(ours)).Select(p => p.Id).ToListAsync(ct);
        foreach (var chunk in old.Chunk(ChunkSize))
        {
            await db.Predictions.Where(p => chunk.Contains(p.Id)).ExecuteDeleteAsync(ct);
        }
        var now = clock.GetUtcNow();
        foreach (var chunk in predictions.Chunk(ChunkSize))
        {
            db.ChangeTracker.Clear();
            db.Predictions.AddRange(chunk.Select(p => new Prediction
            {
                ProjectId = projectId,
                ItemId = p.ItemId,
                ModelVersion = model.Name,
                Score = Math.Clamp(p.Score, 0, 1),
                Values = new Dictionary<string, JsonElement> { [model.Field] = JsonSerializer.SerializeToElement(p.Label) },
                CreatedAt = now,
            }));
            await db.SaveChangesAsync(ct);
        }
        db.ChangeTracker.Clear();
    }
}
