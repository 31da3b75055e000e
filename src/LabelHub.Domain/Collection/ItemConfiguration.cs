using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Collection;

internal sealed class ItemConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> item)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        item.HasKey(i => i.Id);
        item.Property(i => i.Data).HasJsonConversion(postgres);
        item.Property(i => i.GoldAnswer).HasJsonConversion(postgres);
        item.Property(i => i.ContentHash).HasMaxLength(64);
        item.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // The next-task query walks this index in its own order: open items of a project, fullest first,
        // then by priority, then oldest; the directions match the ORDER BY so no sort is needed.
        item.HasIndex(i => new { i.ProjectId, i.IsGold, i.TakenSlots, i.Priority, i.Id })
            .IsDescending(false, false, true, true, false);
        // No index on the content hash: imports read the project's hashes once into memory (ItemImporter), and keeping a
        // random 64-character key in order cost an import 28 of its 37 s of inserts per 1,000,000 rows (ADR 0015).
        // Reading a project's items in id order a page at a time (exports, listings, scoring): without it SQLite took the
        // next-task index and sorted every remaining item for each page, so a 1,000,000-item export slowed as it went.
        item.HasIndex(i => new { i.ProjectId, i.Id });
        item.HasIndex(i => i.ImportJobRunId);
        // No index for the data manager here: every lease writes an entry into each index of this table (taken_slots is
        // in the next-task index, so the update cannot be HOT). Its sorts and search live in item_stats and item_search.

        item.Property(i => i.SyntheticLabel).HasMaxLength(200);
        item.HasOne<Generator>().WithMany().HasForeignKey(i => i.SyntheticGeneratorId).OnDelete(DeleteBehavior.Restrict);
        item.HasIndex(i => i.SyntheticGeneratorId);
        // No foreign key on source_id in PostgreSQL: EF would index it, and every lease would write that index too;
        // item_stats holds the same value under a foreign key, so an item still cannot name a missing source. SQLite
        // writes only the indexes of the columns an UPDATE changes, and drops a foreign key only by rebuilding the table.
        if (!postgres)
        {
            item.HasOne<ItemSource>().WithMany().HasForeignKey(i => i.SourceId).OnDelete(DeleteBehavior.Restrict);
        }
        // Items of an import still being written are not there yet for anyone (the import itself asks with IgnoreQueryFilters).
        item.HasQueryFilter(i => i.TakenSlots < Item.PendingSlots);
        if (postgres)
        {
            // Room on each page lets PostgreSQL update submitted_count in place (a HOT update) instead of adding
            // an entry to every index of the table on each submit; the next-task scan then skips fewer dead entries.
            item.HasStorageParameter("fillfactor", 80);
        }
    }
}
