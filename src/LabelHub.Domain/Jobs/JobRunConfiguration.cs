using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Jobs;

internal sealed class JobRunConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> job)
    {
        job.HasKey(j => j.Id);
        job.Property(j => j.Kind).HasMaxLength(64);
        job.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
        job.Property(j => j.Message).HasMaxLength(1000);
        job.Property(j => j.ResultSummary).HasMaxLength(1000);
        job.Property(j => j.ExecutorJobId).HasMaxLength(100);
        if (provider == DatabaseProvider.Postgres)
        {
            job.Property(j => j.Parameters).HasColumnType("jsonb");
            job.Property(j => j.Result).HasColumnType("jsonb");
        }
        job.HasIndex(j => new { j.ProjectId, j.CreatedAt });
        job.HasIndex(j => j.State);
    }
}
