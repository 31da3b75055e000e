using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// A synthetic item's origin as annotators and reviewers see it (issue 16): the generator that made it ("LabelHub GAN v2")
/// and the class it was asked for, which the annotator confirms, corrects or skips. Collected items have none.
/// </summary>
public sealed record SyntheticOrigin(string Generator, string Class)
{
    /// <summary>The origin from the generator's version and the class asked for; null for a collected item (no generator).</summary>
    public static SyntheticOrigin? Of(int? generatorVersion, string? askedFor) =>
        generatorVersion is { } version ? new SyntheticOrigin(Synthesis.Generator.NameOf(version), askedFor ?? "") : null;

    /// <summary>The synthetic items among <paramref name="itemIds"/> with their origin, in one query (a review page's items).</summary>
    public static async Task<Dictionary<long, SyntheticOrigin>> OfItemsAsync(LabelHubDbContext db, IReadOnlyCollection<long> itemIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id) && i.SyntheticGeneratorId != null)
            .Join(db.Generators, i => i.SyntheticGeneratorId, g => g.Id, (i, g) => new { i.Id, g.Version, i.SyntheticLabel })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => new SyntheticOrigin(Synthesis.Generator.NameOf(r.Version), r.SyntheticLabel ?? ""));
    }
}
