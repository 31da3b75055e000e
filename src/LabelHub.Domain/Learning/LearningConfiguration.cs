using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Learning;

internal sealed class ModelVersionConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> model)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        model.HasKey(m => m.Id);
        model.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        model.Property(m => m.Field).HasMaxLength(100);
        model.Property(m => m.Labels).HasJsonConversion(postgres);
        model.Property(m => m.Input).HasJsonConversion(postgres);
        model.Property(m => m.Curve).HasJsonConversion(postgres);
        model.Ignore(m => m.Name);
        model.HasIndex(m => new { m.ProjectId, m.Version }).IsUnique();
        model.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<StoredFile>().WithMany().HasForeignKey(m => m.CheckpointFileId).OnDelete(DeleteBehavior.Restrict);
        model.HasOne<StoredFile>().WithMany().HasForeignKey(m => m.TrainingSetFileId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LearningRoundConfiguration : IEntityTypeConfiguration<LearningRound>
{
    public void Configure(EntityTypeBuilder<LearningRound> round)
    {
        round.HasKey(r => r.Id);
        round.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        round.Property(r => r.Strategy).HasConversion<string>().HasMaxLength(24);
        round.HasIndex(r => new { r.ProjectId, r.Number }).IsUnique();
        round.HasIndex(r => r.JobRunId).IsUnique();
        round.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        round.HasOne<ModelVersion>().WithMany().HasForeignKey(r => r.ModelVersionId).OnDelete(DeleteBehavior.SetNull);
        round.HasMany(r => r.Picks).WithOne().HasForeignKey(p => p.RoundId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoundPickConfiguration : IEntityTypeConfiguration<RoundPick>
{
    public void Configure(EntityTypeBuilder<RoundPick> pick)
    {
        pick.HasKey(p => new { p.RoundId, p.ItemId });
        pick.Property(p => p.Reason).HasMaxLength(300);
        pick.Property(p => p.PredictedLabel).HasMaxLength(200);
        pick.HasOne<Item>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
