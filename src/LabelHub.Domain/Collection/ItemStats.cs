using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Collection;

/// <summary>
/// What the data manager sorts and filters an item by, kept beside the item instead of on it (ADR 0022, amendment):
/// every lease changes items.taken_slots, which the next-task index holds, so PostgreSQL writes a new entry into every
/// index of <c>items</c> on each lease; the data manager's sort indexes therefore live here, where only
/// <see cref="ItemStatsRefresh"/> writes, a moment after the answers change and never inside a submit.
/// A database trigger adds the row when the item is made; the row goes with the item.
/// </summary>
public class ItemStats
{
    public long ItemId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>Copied from the item when it is made.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Copied from the item when it is made; never changes.</summary>
    public long? SourceId { get; set; }

    /// <summary>The item's priority as of the last refresh.</summary>
    public double Priority { get; set; }

    /// <summary>The item's submitted answers as of the last refresh.</summary>
    public int SubmittedCount { get; set; }

    /// <summary>Share of agreeing pairs among the item's current answers (0 to 1); null with fewer than two.</summary>
    public double? Agreement { get; set; }

    /// <summary>The newest prediction's score; null without one.</summary>
    public double? PredictionScore { get; set; }
}

/// <summary>
/// An item whose <see cref="ItemStats"/> and <see cref="ItemLabel"/> rows are due for a refresh. Database triggers add
/// one whenever an answer or prediction of the item is written or its priority changes, by any path (EF, raw SQL,
/// COPY); a plain insert that never waits on another transaction. <see cref="ItemStatsRefresh"/> removes the rows it
/// handled.
/// </summary>
public class ItemStatsChange
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    public Guid ProjectId { get; set; }
}

internal sealed class ItemStatsConfiguration : IEntityTypeConfiguration<ItemStats>
{
    public void Configure(EntityTypeBuilder<ItemStats> stats)
    {
        stats.ToTable("item_stats");
        stats.HasKey(s => s.ItemId);
        stats.Property(s => s.ItemId).ValueGeneratedNever();
        stats.HasOne<Item>().WithOne(i => i.Stats).HasForeignKey<ItemStats>(s => s.ItemId).OnDelete(DeleteBehavior.Cascade);
        stats.HasOne<ItemSource>().WithMany().HasForeignKey(s => s.SourceId).OnDelete(DeleteBehavior.Restrict);
        // The data manager's sorts (ItemTableService): each walks (project, column, item) in order and stops after a page,
        // so a sorted first or later page over 1,000,000 items reads a page of index entries instead of sorting them all.
        stats.HasIndex(s => new { s.ProjectId, s.CreatedAt, s.ItemId });
        stats.HasIndex(s => new { s.ProjectId, s.Priority, s.ItemId });
        stats.HasIndex(s => new { s.ProjectId, s.SubmittedCount, s.ItemId });
        stats.HasIndex(s => new { s.ProjectId, s.Agreement, s.ItemId });
        stats.HasIndex(s => new { s.ProjectId, s.PredictionScore, s.ItemId });
        // Sorting by source walks one source at a time in item order; filtering by source reads only its items.
        stats.HasIndex(s => new { s.ProjectId, s.SourceId, s.ItemId });
    }
}

internal sealed class ItemStatsChangeConfiguration : IEntityTypeConfiguration<ItemStatsChange>
{
    public void Configure(EntityTypeBuilder<ItemStatsChange> change)
    {
        change.ToTable("item_stats_queue");
        change.HasKey(c => c.Id);
        // A data manager page first refreshes its own project's queued items.
        change.HasIndex(c => new { c.ProjectId, c.Id });
    }
}
