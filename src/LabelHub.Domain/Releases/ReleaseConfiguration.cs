using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Releases;

internal sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> release)
    {
        release.ToTable("releases");
        release.HasKey(r => r.Id);
        release.HasIndex(r => new { r.ProjectId, r.Number }).IsUnique();
        release.HasIndex(r => r.JobRunId);
        release.Property(r => r.SettingsJson).HasColumnName("settings");
        release.Property(r => r.SummaryJson).HasColumnName("summary");
        release.Property(r => r.DiffJson).HasColumnName("diff");
        release.Property(r => r.ManifestSha256).HasMaxLength(64);
        release.Property(r => r.Error).HasMaxLength(2000);
        // A project's releases go with the project; nothing else deletes one (the immutability triggers, ADR 0020).
        release.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        release.HasOne<JobRun>().WithMany().HasForeignKey(r => r.JobRunId).OnDelete(DeleteBehavior.SetNull);
        release.HasOne<Release>().WithMany().HasForeignKey(r => r.PreviousReleaseId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class ReleaseItemConfiguration : IEntityTypeConfiguration<ReleaseItem>
{
    public void Configure(EntityTypeBuilder<ReleaseItem> item)
    {
        item.ToTable("release_items");
        // Item order inside a release is the manifest's order and the diff's merge order.
        item.HasKey(i => new { i.ReleaseId, i.ItemId });
        item.Property(i => i.ContentHash).HasMaxLength(64);
        item.Property(i => i.AnswersJson).HasColumnName("answers");
        item.Property(i => i.ChangeReason).HasMaxLength(40);
        // Which releases hold an item: deleting an item a release holds is refused.
        item.HasIndex(i => i.ItemId);
        item.HasOne<Release>().WithMany().HasForeignKey(i => i.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        // No cascade: an item a release holds cannot be deleted (project deletion removes the releases' rows first).
        item.HasOne<Item>().WithMany().HasForeignKey(i => i.ItemId).OnDelete(DeleteBehavior.NoAction);
    }
}
