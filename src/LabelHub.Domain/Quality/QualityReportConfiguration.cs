using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Quality;

internal sealed class QualityReportConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<QualityReport>
{
    public void Configure(EntityTypeBuilder<QualityReport> report)
    {
        report.HasKey(r => r.Id);
        report.Property(r => r.Data).HasJsonConversion(provider == DatabaseProvider.Postgres);
        report.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // The dashboard reads the newest report and the trend reads them in time order.
        report.HasIndex(r => new { r.ProjectId, r.ComputedAt });
    }
}
