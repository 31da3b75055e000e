using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;
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
        item.HasIndex(i => new { i.ProjectId, i.ContentHash });
        item.HasIndex(i => i.ImportJobRunId);
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
