using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Collection;

internal sealed class ItemSourceConfiguration : IEntityTypeConfiguration<ItemSource>
{
    public void Configure(EntityTypeBuilder<ItemSource> source)
    {
        source.ToTable("item_sources");
        source.HasKey(s => s.Id);
        source.Property(s => s.Name).HasMaxLength(200);
        source.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        source.Property(s => s.Licence).HasMaxLength(200);
        source.HasIndex(s => new { s.ProjectId, s.Id });
        source.HasIndex(s => s.ImportJobRunId);
        source.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
