using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Collection;

/// <summary>
/// One (field, label) that some current answer of an item gives: the data manager's "label of a field" filter reads
/// these by an index instead of opening every answer's JSON. Written only by <see cref="ItemStatsRefresh"/>
/// (<see cref="ItemLabelRows"/> says which values count), removed with the item.
/// </summary>
public class ItemLabel
{
    /// <summary>The longest label kept; the filter refuses a longer one.</summary>
    public const int MaxLabelLength = 200;

    public const int MaxFieldLength = 100;

    public long ItemId { get; set; }
    public Guid ProjectId { get; set; }
    public string Field { get; set; } = "";
    public string Label { get; set; } = "";
}

internal sealed class ItemLabelConfiguration : IEntityTypeConfiguration<ItemLabel>
{
    public void Configure(EntityTypeBuilder<ItemLabel> label)
    {
        label.ToTable("item_labels");
        label.HasKey(l => new { l.ItemId, l.Field, l.Label });
        label.Property(l => l.Field).HasMaxLength(ItemLabel.MaxFieldLength);
        label.Property(l => l.Label).HasMaxLength(ItemLabel.MaxLabelLength);
        // The filter: one project's items with one field's label, in id order, read from the index alone.
        label.HasIndex(l => new { l.ProjectId, l.Field, l.Label, l.ItemId });
        label.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
