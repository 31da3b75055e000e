using LabelHub.Domain.Collection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> review)
    {
        review.HasKey(r => r.Id);
        review.Property(r => r.Decision).HasConversion<string>().HasMaxLength(24);
        review.Property(r => r.Comment).HasMaxLength(2000);
        review.HasIndex(r => new { r.ItemId, r.AnnotatorId });
        review.HasIndex(r => new { r.ProjectId, r.CreatedAt });
        review.HasOne<Item>().WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
