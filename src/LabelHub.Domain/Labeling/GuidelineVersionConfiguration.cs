using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class GuidelineVersionConfiguration : IEntityTypeConfiguration<GuidelineVersion>
{
    public void Configure(EntityTypeBuilder<GuidelineVersion> guideline)
    {
        guideline.HasKey(g => g.Id);
        guideline.Property(g => g.ChangeNote).HasMaxLength(500);
        guideline.HasIndex(g => new { g.ProjectId, g.Version }).IsUnique();
        guideline.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
