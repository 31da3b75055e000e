using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Cleansing;

/// <summary>
/// Runs <see cref="CleansingJobs.Duplicates"/>: exact and text searches in the Domain (<see cref="DuplicateSearch"/>);
/// images here, because decoding needs SkiaSharp (ADR 0019, 2): each page's stored images are read as the learning
/// stage reads them, hashed, and grouped around representatives (docs/cleansing/near-duplicates-images.md).
/// </summary>
public sealed class DuplicatesJobHandler(DuplicateSearch search, CleansingRunLog log, LearningData learningData)
    : JobHandler<DuplicateSearchParameters, DuplicateSearchResult>(CleansingJobs.Duplicates)
{
    public override Task<JobOutcome<DuplicateSearchResult>> RunAsync(JobRun run, DuplicateSearchParameters parameters, IJobProgress progress, CancellationToken ct) =>
        parameters.Kind == DuplicateKind.Image ? RunImagesAsync(run, parameters, progress, ct) : search.RunAsync(run, parameters, progress, ct);

    private async Task<JobOutcome<DuplicateSearchResult>> RunImagesAsync(JobRun job, DuplicateSearchParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = job.ProjectId ?? throw new InvalidOperationException($"Job {job.Id} has no project.");
        var run = await log.StartAsync(projectId, CleansingRunKind.ImageDuplicates, job.Id, parameters.StartedById, DuplicateSearch.Settings(parameters, null), ct: ct);
        var imageKey = await search.DefaultImageKeyAsync(projectId, ct);
        var total = await search.CountAsync(projectId, ct);
        var hashes = new List<HashedItem>();
        int items = 0, skipped = 0;
        await foreach (var page in search.PagesAsync(projectId, ct))
        {
            items += page.Count;
            var images = await learningData.ImagesAsync(projectId, page.ToDictionary(i => i.Id, i => (IReadOnlyDictionary<string, JsonElement>)i.Data), imageKey, ct);
            skipped += page.Count - images.Count;
            foreach (var (itemId, bytes) in images.OrderBy(i => i.Key))
            {
                try
                {
                    var both = ImageLuminance.Hash(bytes);
                    hashes.Add(new HashedItem(itemId, parameters.EffectiveHash == ImageHashKind.PHash ? both.PHash : both.DHash));
                }
                catch (InvalidDataException)
                {
                    // A stored file that is not a decodable image: counted as skipped, as an image linked by URL is.
                    skipped++;
                }
            }
            await progress.ReportAsync(total == 0 ? 0.8 : 0.8 * items / total, $"Hashed {items:N0} of {total:N0} images", ct);
        }
        await progress.ReportAsync(0.85, "Comparing images", ct);
        var hashOf = hashes.ToDictionary(h => h.ItemId, h => h.Hash);
        var maxDistance = parameters.EffectiveMaxDistance;
        var groups = HammingGrouping.GroupAroundRepresentatives(hashes, maxDistance)
            .Select(g => new FoundDuplicateGroup(g.RepresentativeId,
            [
                new DuplicateGroupMember { ItemId = g.RepresentativeId, Similarity = 1 },
                .. g.ItemIds.Where(id => id != g.RepresentativeId).Select(id => new DuplicateGroupMember
                {
                    ItemId = id,
                    Similarity = 1 - (PerceptualHash.Distance(hashOf[g.RepresentativeId], hashOf[id]) / (double)PerceptualHash.Bits),
                }),
            ]))
            .ToList();
        return await search.StoreAsync(run, parameters, items, skipped, groups, progress, ct);
    }
}
