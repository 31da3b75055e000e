using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Synthesis;

internal sealed class GeneratorConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Generator>
{
    public void Configure(EntityTypeBuilder<Generator> generator)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        generator.HasKey(g => g.Id);
        generator.Property(g => g.State).HasConversion<string>().HasMaxLength(16);
        generator.Property(g => g.Health).HasConversion<string>().HasMaxLength(16);
        generator.Property(g => g.Field).HasMaxLength(100);
        generator.Property(g => g.ImageKey).HasMaxLength(100);
        generator.Property(g => g.HealthReason).HasMaxLength(1000);
        generator.Property(g => g.Labels).HasJsonConversion(postgres);
        generator.Property(g => g.Settings).HasJsonConversion(postgres);
        generator.Property(g => g.Curve).HasJsonConversion(postgres);
        generator.Property(g => g.CollapsedClasses).HasJsonConversion(postgres);
        generator.Property(g => g.Evaluation).HasJsonConversion(postgres);
        generator.Ignore(g => g.Name);
        generator.HasIndex(g => new { g.ProjectId, g.Version }).IsUnique();
        generator.HasIndex(g => g.JobRunId).IsUnique();
        generator.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
        generator.HasOne<StoredFile>().WithMany().HasForeignKey(g => g.WeightsFileId).OnDelete(DeleteBehavior.Restrict);
        generator.HasOne<StoredFile>().WithMany().HasForeignKey(g => g.CheckpointFileId).OnDelete(DeleteBehavior.SetNull);
    }
}
