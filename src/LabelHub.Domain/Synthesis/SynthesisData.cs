using System.Security.Cryptography;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Synthesis;

/// <summary>A real labeled image: its item, its class (an index into the generator's labels) and its encoded bytes.</summary>
public sealed record TrainingImage(long ItemId, int Label, byte[] Encoded);

/// <summary>
/// What a generator trains on and is measured against: real labeled images of its field, split per class into training
/// and held-out images the same way on every call.
/// </summary>
/// <param name="Unreadable">Labeled items whose image is not stored in LabelHub (an external link): left out.</param>
public sealed record GeneratorTrainingSet(Generator Generator, IReadOnlyList<TrainingImage> Train, IReadOnlyList<TrainingImage> HeldOut, int Unreadable);

/// <summary>One generated image to store as a synthetic item: the class it was asked for, its noise seed and its PNG.</summary>
public readonly record struct SyntheticSample(string Label, long Seed, byte[] Png);

/// <summary>
/// The Synthesis stage's data, for the jobs in Workers: a generator's real training images, its epochs (sample grids and
/// the checkpoint a restarted job resumes from), its weights and measurements, and the synthetic items it makes. Writes
/// go in short transactions, each after the files it points to are written, so a crash at any point leaves the last
/// consistent state (ADR 0013, 0014).
/// </summary>
public sealed class SynthesisData(IDbContextFactory<LabelHubDbContext> dbFactory, LearningData learning, StoredFileService files, TimeProvider clock)
{
    /// <summary>Synthetic items (with their image files and suggestions) per stored batch: each batch is one short transaction.</summary>
    public const int ItemBatch = 200;

    public async Task<Generator> GeneratorAsync(Guid generatorId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Generators.AsNoTracking().FirstOrDefaultAsync(g => g.Id == generatorId, ct) ?? throw new NotFoundException("Generator");
    }

    /// <summary>
    /// Opens (or re-opens after a restart) a generator's training: it is Training again, and whatever files an interrupted
    /// attempt of its job wrote that the generator does not point to (a checkpoint or grid written just before a kill, a
    /// previous checkpoint not yet deleted) are removed.
    /// </summary>
    public async Task<Generator> BeginTrainingAsync(Guid generatorId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var generator = await db.Generators.FirstOrDefaultAsync(g => g.Id == generatorId, ct) ?? throw new NotFoundException("Generator");
        if (generator.State != GeneratorState.Training)
        {
            generator.State = GeneratorState.Training;
            await db.SaveChangesAsync(ct);
        }
        var kept = generator.Curve.Epochs.Select(e => e.GridFileId).ToHashSet();
        if (generator.CheckpointFileId is { } checkpoint)
        {
            kept.Add(checkpoint);
        }
        if (generator.WeightsFileId is { } weights)
        {
            kept.Add(weights);
        }
        var written = await db.StoredFiles.Where(f => f.JobRunId == generator.JobRunId).Select(f => f.Id).ToListAsync(ct);
        await StoredFileService.DeleteAsync(db, [.. written.Where(id => !kept.Contains(id))], ct);
        return generator;
    }

    /// <summary>Records whether the generator works in grey (1) or colour (3); only before its first epoch, since checkpoints depend on it.</summary>
    public async Task<Generator> SetChannelsAsync(Guid generatorId, int channels, CancellationToken ct)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A generator's images have 1 or 3 channels.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var generator = await db.Generators.FirstOrDefaultAsync(g => g.Id == generatorId, ct) ?? throw new NotFoundException("Generator");
        if (generator.Channels != channels)
        {
            if (generator.EpochsDone > 0)
            {
                throw new InvalidOperationException($"{generator.Name} already trained {generator.EpochsDone} epochs with {generator.Channels} channels.");
            }
            generator.Channels = channels;
            await db.SaveChangesAsync(ct);
        }
        return generator;
    }

    /// <summary>
    /// The generator's real training and held-out images: items with a final answer to its field (the gold answer of a
    /// gold item, else the majority of the current answers not rejected in review; ties left out), never synthetic ones,
    /// whose image is stored in LabelHub. Per class, the items are ordered by a seeded hash of their id and the first
    /// <see cref="GeneratorSettings.HeldOutShare"/> of them (at least one of a class with two or more) are held out: the
    /// same split on every call with the same answers, so a resumed job trains on the same images.
    /// </summary>
    public async Task<GeneratorTrainingSet> TrainingSetAsync(Guid generatorId, CancellationToken ct)
    {
        var generator = await GeneratorAsync(generatorId, ct);
        LabelField field;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var schema = await db.Projects.AsNoTracking().Where(p => p.Id == generator.ProjectId).Select(p => p.Schema).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("Project");
            field = schema.Field(generator.Field) is { Kind: FieldKind.Choice } choice
                ? choice
                : throw new ValidationException("field", $"'{generator.Field}' is no longer a single-choice field of this project.");
        }
        var classOf = generator.Labels.Select((label, index) => (label, index)).ToDictionary(p => p.label, p => p.index, StringComparer.Ordinal);
        var labeled = await learning.LabeledAsync(generator.ProjectId, field, ct);
        var synthetic = await SyntheticItemIdsAsync(generator.ProjectId, ct);
        var examples = labeled
            .Where(l => !synthetic.Contains(l.ItemId) && classOf.ContainsKey(field.Labels[l.Label]))
            .Select(l => (l.ItemId, Label: classOf[field.Labels[l.Label]], l.Data))
            .ToList();
        var images = await learning.ImagesAsync(generator.ProjectId, examples.ToDictionary(e => e.ItemId, e => e.Data), generator.ImageKey, ct);
        var readable = examples.Where(e => images.ContainsKey(e.ItemId)).Select(e => new TrainingImage(e.ItemId, e.Label, images[e.ItemId])).ToList();
        var seed = unchecked((uint)generator.Settings.Seed);
        var train = new List<TrainingImage>();
        var heldOut = new List<TrainingImage>();
        foreach (var group in readable.GroupBy(i => i.Label).OrderBy(g => g.Key))
        {
            var ordered = group.OrderBy(i => StableHash.Murmur3(i.ItemId, seed)).ThenBy(i => i.ItemId).ToList();
            var held = HeldOutCount(ordered.Count, generator.Settings.HeldOutShare);
            heldOut.AddRange(ordered.Take(held));
            train.AddRange(ordered.Skip(held));
        }
        return new GeneratorTrainingSet(generator, [.. train.OrderBy(i => i.ItemId)], [.. heldOut.OrderBy(i => i.ItemId)], examples.Count - readable.Count);
    }

    /// <summary>The held-out images of a class of <paramref name="count"/>: its share, rounded, but at least one when the class has two.</summary>
    public static int HeldOutCount(int count, double share)
    {
        if (count < 2 || share <= 0)
        {
            return 0;
        }
        return Math.Clamp((int)Math.Round(count * share, MidpointRounding.AwayFromZero), 1, count - 1);
    }

    private async Task<HashSet<long>> SyntheticItemIdsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.SyntheticGeneratorId != null).Select(i => i.Id).ToListAsync(ct)];
    }

    /// <summary>The whole training state after the last stored epoch, or null before the first.</summary>
    public async Task<byte[]?> CheckpointAsync(Generator generator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(generator);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var fileId = await db.Generators.Where(g => g.Id == generator.Id).Select(g => g.CheckpointFileId).SingleAsync(ct);
        return fileId is { } id ? await StoredFileService.ReadAllBytesAsync(db, id, ct) : null;
    }

    /// <summary>The trained generator's weights.</summary>
    public async Task<byte[]> WeightsAsync(Generator generator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(generator);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var fileId = await db.Generators.Where(g => g.Id == generator.Id).Select(g => g.WeightsFileId).SingleAsync(ct)
            ?? throw new InvalidOperationException($"{generator.Name} has no weights: it was not trained.");
        return await StoredFileService.ReadAllBytesAsync(db, fileId, ct);
    }

    /// <summary>
    /// Stores a finished epoch: its sample grid (a PNG of the project, served by the media endpoint) and the new checkpoint
    /// are written first; then one short transaction appends the epoch to the curve, points the generator at the new
    /// checkpoint and records the health; only then is the previous checkpoint deleted. A crash before the transaction
    /// leaves the previous epoch's consistent state (the new files are removed by the re-run's <see cref="BeginTrainingAsync"/>).
    /// </summary>
    /// <param name="epoch">The epoch's figures; its <see cref="GeneratorEpoch.GridFileId"/> is set here.</param>
    /// <returns>The epoch as stored, with its grid's file id.</returns>
    public async Task<GeneratorEpoch> SaveEpochAsync(
        Guid generatorId, GeneratorEpoch epoch, byte[] gridPng, byte[] checkpointState, GanHealth health, string? reason, IReadOnlyList<string> collapsedClasses,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(gridPng);
        ArgumentNullException.ThrowIfNull(checkpointState);
        ArgumentNullException.ThrowIfNull(collapsedClasses);
        var generator = await GeneratorAsync(generatorId, ct);
        if (epoch.Epoch != generator.EpochsDone + 1)
        {
            throw new InvalidOperationException($"{generator.Name} has {generator.EpochsDone} epochs; epoch {epoch.Epoch} cannot follow.");
        }
        var grid = StoredFileService.Create(generator.ProjectId, null, $"generator-v{generator.Version}-epoch-{epoch.Epoch}.png", "image/png", gridPng, clock.GetUtcNow());
        // Held back (never served) until the epoch that shows it is stored.
        grid.IsComplete = false;
        grid.JobRunId = generator.JobRunId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.StoredFiles.Add(grid);
            await db.SaveChangesAsync(ct);
        }
        var checkpoint = await files.WriteAsync(generator.ProjectId, null, generator.JobRunId, $"generator-v{generator.Version}-checkpoint-{epoch.Epoch}.pt",
            "application/octet-stream", (stream, token) => stream.WriteAsync(checkpointState, token).AsTask(), ct: ct);
        var stored = epoch with { GridFileId = grid.Id };
        Guid? previous;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var row = await db.Generators.SingleAsync(g => g.Id == generatorId, ct);
            previous = row.CheckpointFileId;
            row.Curve = new GeneratorCurve { Epochs = [.. row.Curve.Epochs.Where(e => e.Epoch < epoch.Epoch), stored] };
            row.EpochsDone = epoch.Epoch;
            row.CheckpointFileId = checkpoint.Id;
            row.Health = health;
            row.HealthReason = Truncate(reason, 1000);
            row.CollapsedClasses = [.. collapsedClasses];
            await db.StoredFiles.Where(f => f.Id == grid.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.IsComplete, true), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        if (previous is { } old && old != checkpoint.Id)
        {
            await files.DeleteAsync([old], ct);
        }
        return stored;
    }

    /// <summary>
    /// A trained generator: its weights for generating, its measurements, its final health, Ready (it generates only when
    /// healthy). The checkpoint stays, so training can continue for more epochs.
    /// </summary>
    public async Task<Generator> FinishTrainingAsync(
        Guid generatorId, byte[] weights, GeneratorEvaluation evaluation, int trainCount, int heldOutCount, double seconds, GanDiagnosis health, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(health);
        var generator = await GeneratorAsync(generatorId, ct);
        var now = clock.GetUtcNow();
        var file = StoredFileService.Create(generator.ProjectId, null, $"generator-v{generator.Version}.pt", "application/octet-stream", weights, now);
        file.JobRunId = generator.JobRunId;
        Guid? previous;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var row = await db.Generators.SingleAsync(g => g.Id == generatorId, ct);
            previous = row.WeightsFileId;
            db.StoredFiles.Add(file);
            row.WeightsFileId = file.Id;
            row.Evaluation = evaluation;
            row.TrainCount = trainCount;
            row.HeldOutCount = heldOutCount;
            row.TrainingSeconds = seconds;
            row.Health = health.Health;
            row.HealthReason = Truncate(health.Reason, 1000);
            row.CollapsedClasses = [.. health.CollapsedClasses];
            row.TrainedAt = now;
            row.State = GeneratorState.Ready;
            await db.SaveChangesAsync(ct);
            generator = row;
        }
        if (previous is { } old)
        {
            await files.DeleteAsync([old], ct);
        }
        return generator;
    }

    /// <summary>The training failed or was cancelled: the generator is Failed (the epochs it stored stay), with the reason in English.</summary>
    public async Task FailTrainingAsync(Guid generatorId, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Generators.FirstOrDefaultAsync(g => g.Id == generatorId, ct);
        if (row is null)
        {
            return;
        }
        row.State = GeneratorState.Failed;
        row.HealthReason = Truncate(reason, 1000);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Where a generation job stands after a restart: when an earlier attempt had stored every item (some are revealed
    /// already), the rest are revealed and their number returned; otherwise whatever it left pending is removed and null
    /// is returned, so the job makes its items again (the same seeds make the same images).
    /// </summary>
    public async Task<int?> ResumeGenerationAsync(Guid jobRunId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var own = db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == jobRunId);
        if (await own.AnyAsync(i => i.TakenSlots != Item.PendingSlots, ct))
        {
            return await RevealSyntheticItemsAsync(jobRunId, ct);
        }
        await RemoveSyntheticItemsAsync(jobRunId, ct);
        return null;
    }

    /// <summary>
    /// Stores generated images as synthetic items of the project, <see cref="ItemBatch"/> at a time, each batch one short
    /// transaction: the PNG as an image file of the project (held back until revealed), an image item pointing at it
    /// (pending, so nobody sees it yet) flagged with the generator, class and seed and tagged with the job, and the class
    /// as the generator's suggestion for its field, which annotators confirm or reject.
    /// </summary>
    /// <returns>How many items were stored.</returns>
    public async Task<int> AddSyntheticItemsAsync(Guid projectId, Guid jobRunId, Generator generator, IReadOnlyList<SyntheticSample> samples, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(samples);
        if (generator.ProjectId != projectId)
        {
            throw new InvalidOperationException($"{generator.Name} belongs to another project.");
        }
        var unknown = samples.Select(s => s.Label).FirstOrDefault(l => !generator.Labels.Contains(l, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new ValidationException("perClass", $"'{unknown}' is not a class of {generator.Name}.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var now = clock.GetUtcNow();
        // One source per generator run: each call of the run adds to the same one.
        var sourceId = await SourceService.EnsureJobSourceAsync(db, projectId, jobRunId, $"{generator.Name} v{generator.Version}", SourceKind.Synthetic, now, ct);
        foreach (var batch in samples.Chunk(ItemBatch))
        {
            var items = new List<Item>(batch.Length);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var sample in batch)
            {
                var fileName = $"synthetic-v{generator.Version}-{FileSafe(sample.Label)}-{sample.Seed}.png";
                var file = StoredFileService.Create(projectId, null, fileName, "image/png", sample.Png, now);
                file.IsComplete = false;
                file.JobRunId = jobRunId;
                db.StoredFiles.Add(file);
                var data = new Dictionary<string, JsonElement>
                {
                    [generator.ImageKey] = JsonSerializer.SerializeToElement(MediaUrls.For(projectId, file.Id)),
                    [MediaUrls.FileNameKey] = JsonSerializer.SerializeToElement(fileName),
                    [MediaUrls.WidthKey] = JsonSerializer.SerializeToElement(generator.ImageSide),
                    [MediaUrls.HeightKey] = JsonSerializer.SerializeToElement(generator.ImageSide),
                };
                var item = new Item
                {
                    ProjectId = projectId,
                    Data = data,
                    SourceId = sourceId,
                    SearchText = ItemSearchText.Of(data),
                    // An image item's content hash is its bytes' SHA-256, as for imported images.
                    ContentHash = Convert.ToHexStringLower(SHA256.HashData(sample.Png)),
                    ImportJobRunId = jobRunId,
                    TakenSlots = Item.PendingSlots,
                    SyntheticGeneratorId = generator.Id,
                    SyntheticLabel = sample.Label,
                    SyntheticSeed = sample.Seed,
                    CreatedAt = now,
                };
                db.Items.Add(item);
                items.Add(item);
            }
            await db.SaveChangesAsync(ct);
            // The ids exist now: the suggestions go in the same transaction.
            db.Predictions.AddRange(items.Select(item => new Prediction
            {
                ProjectId = projectId,
                ItemId = item.Id,
                ModelVersion = generator.Name,
                Score = null,
                Values = new Dictionary<string, JsonElement> { [generator.Field] = JsonSerializer.SerializeToElement(item.SyntheticLabel) },
                CreatedAt = now,
            }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            // Lets the saved images go: the change tracker would otherwise hold every one until the end.
            db.ChangeTracker.Clear();
        }
        return samples.Count;
    }

    /// <summary>
    /// Makes a generation job's items available to annotators, a range of ids at a time, then serves their images (items
    /// first: a kill in between leaves revealed items, and the re-run completes the files).
    /// </summary>
    /// <returns>The job's items in all.</returns>
    public async Task<int> RevealSyntheticItemsAsync(Guid jobRunId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ItemImporter.RevealAsync(db, jobRunId, ct);
        await StoredFileService.CompleteJobFilesAsync(db, jobRunId, ct);
        return await db.Items.CountAsync(i => i.ImportJobRunId == jobRunId, ct);
    }

    /// <summary>Removes what a failed, cancelled or killed generation job left pending: its items (with their suggestions) and image files.</summary>
    public async Task RemoveSyntheticItemsAsync(Guid jobRunId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ItemImporter.RemovePendingAsync(db, jobRunId, ct);
        await StoredFileService.RemoveIncompleteAsync(db, jobRunId, ct);
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length];

    /// <summary>A class name as part of a file name: letters and digits kept, anything else (slashes, spaces) a dash.</summary>
    private static string FileSafe(string label)
    {
        var safe = new string([.. label.Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
        return safe.Length <= 60 ? safe : safe[..60];
    }
}
