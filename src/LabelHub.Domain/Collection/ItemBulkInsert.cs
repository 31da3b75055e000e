using LabelHub.Domain.Data;

namespace LabelHub.Domain.Collection;

/// <summary>New items written in bulk (<see cref="BulkInsert{TEntity}"/>); ids are the database's, the items' own Id stays 0.</summary>
internal static class ItemBulkInsert
{
    private static readonly BulkInsert<Item> Writer = new(
        [
            nameof(Item.ProjectId), nameof(Item.Data), nameof(Item.ContentHash), nameof(Item.ImportJobRunId), nameof(Item.SourceLine),
            nameof(Item.TakenSlots), nameof(Item.SubmittedCount), nameof(Item.Priority), nameof(Item.IsGold), nameof(Item.GoldAnswer),
            nameof(Item.CreatedAt), nameof(Item.SourceId), nameof(Item.SearchText),
        ],
        (item, column) => column switch
        {
            0 => item.ProjectId,
            1 => item.Data,
            2 => item.ContentHash,
            3 => item.ImportJobRunId,
            4 => item.SourceLine,
            5 => item.TakenSlots,
            6 => item.SubmittedCount,
            7 => item.Priority,
            8 => item.IsGold,
            9 => item.GoldAnswer,
            10 => item.CreatedAt,
            11 => item.SourceId,
            _ => item.SearchText,
        });

    public static Task InsertAsync(LabelHubDbContext db, IReadOnlyList<Item> items, CancellationToken ct) => Writer.InsertAsync(db, items, ct);
}
