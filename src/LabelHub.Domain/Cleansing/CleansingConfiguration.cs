using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Cleansing;

internal sealed class CleansingRunConfiguration : IEntityTypeConfiguration<CleansingRun>
{
    public void Configure(EntityTypeBuilder<CleansingRun> run)
    {
        run.ToTable("cleansing_runs");
        run.HasKey(r => r.Id);
        run.Property(r => r.SettingsJson).HasColumnName("settings");
        run.Property(r => r.BeforeJson).HasColumnName("before");
        run.Property(r => r.AfterJson).HasColumnName("after");
        run.HasIndex(r => new { r.ProjectId, r.Id });
        run.HasIndex(r => r.JobRunId);
        run.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        run.HasOne<JobRun>().WithMany().HasForeignKey(r => r.JobRunId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CleansingFindingConfiguration : IEntityTypeConfiguration<CleansingFinding>
{
    public void Configure(EntityTypeBuilder<CleansingFinding> finding)
    {
        finding.ToTable("cleansing_findings");
        finding.HasKey(f => f.Id);
        finding.Property(f => f.Field).HasMaxLength(200);
        finding.Property(f => f.Code).HasMaxLength(200);
        finding.Property(f => f.Reason).HasMaxLength(2000);
        // The suggestion is one answer value; kept as its JSON text on both providers (read whole, never queried into).
        finding.Property(f => f.Suggestion).HasConversion(
            value => value.HasValue ? value.Value.GetRawText() : null,
            json => json == null ? null : System.Text.Json.JsonDocument.Parse(json, default).RootElement.Clone());
        // The queue: a project's open findings, item by item in priority order.
        finding.HasIndex(f => new { f.ProjectId, f.State, f.Source, f.Score });
        finding.HasIndex(f => new { f.ProjectId, f.ItemId });
        finding.HasIndex(f => f.RunId);
        finding.HasOne<Project>().WithMany().HasForeignKey(f => f.ProjectId).OnDelete(DeleteBehavior.Cascade);
        finding.HasOne<CleansingRun>().WithMany().HasForeignKey(f => f.RunId).OnDelete(DeleteBehavior.Cascade);
        finding.HasOne<Item>().WithMany().HasForeignKey(f => f.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DuplicateGroupConfiguration : IEntityTypeConfiguration<DuplicateGroup>
{
    public void Configure(EntityTypeBuilder<DuplicateGroup> group)
    {
        group.ToTable("duplicate_groups");
        group.HasKey(g => g.Id);
        group.HasIndex(g => new { g.ProjectId, g.Decision, g.Id });
        group.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
        group.HasOne<CleansingRun>().WithMany().HasForeignKey(g => g.RunId).OnDelete(DeleteBehavior.Cascade);
        group.HasMany(g => g.Members).WithOne().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DuplicateGroupMemberConfiguration : IEntityTypeConfiguration<DuplicateGroupMember>
{
    public void Configure(EntityTypeBuilder<DuplicateGroupMember> member)
    {
        member.ToTable("duplicate_group_members");
        member.HasKey(m => new { m.GroupId, m.ItemId });
        // Which groups an item is in (releases keep a group in one split; the item page shows its group).
        member.HasIndex(m => m.ItemId);
        member.HasOne<Item>().WithMany().HasForeignKey(m => m.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
