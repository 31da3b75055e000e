using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class PredictionConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Prediction>
{
    public void Configure(EntityTypeBuilder<Prediction> prediction)
    {
        prediction.HasKey(p => p.Id);
        prediction.Property(p => p.ModelVersion).HasMaxLength(100);
        prediction.Property(p => p.Values).HasJsonConversion(provider == DatabaseProvider.Postgres);
        prediction.HasIndex(p => new { p.ItemId, p.CreatedAt });
        prediction.HasOne<Item>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
