using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class AnnotationConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Annotation>
{
    public void Configure(EntityTypeBuilder<Annotation> annotation)
    {
        annotation.HasKey(a => a.Id);
        annotation.Property(a => a.Reason).HasConversion<string>().HasMaxLength(16);
        annotation.Property(a => a.ReviewStatus).HasConversion<string>().HasMaxLength(16);
        // The review queue: current, unreviewed answers of a project, oldest first.
        annotation.HasIndex(a => new { a.ProjectId, a.IsCurrent, a.ReviewStatus, a.Id });
        annotation.Property(a => a.Values).HasJsonConversion(provider == DatabaseProvider.Postgres);
        annotation.Property(a => a.Comment).HasMaxLength(2000);
        annotation.HasIndex(a => new { a.ItemId, a.AnnotatorId, a.Version }).IsUnique();
        annotation.HasIndex(a => new { a.ProjectId, a.IsCurrent, a.ItemId });
        annotation.HasIndex(a => new { a.ProjectId, a.AnnotatorId });
        annotation.HasOne<Item>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
