using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Collection;

internal sealed class CrowdInviteConfiguration : IEntityTypeConfiguration<CrowdInvite>
{
    public void Configure(EntityTypeBuilder<CrowdInvite> invite)
    {
        invite.ToTable("crowd_invites");
        invite.HasKey(i => i.Id);
        invite.Property(i => i.Name).HasMaxLength(200);
        invite.Property(i => i.TokenHash).HasMaxLength(64);
        invite.HasIndex(i => i.TokenHash).IsUnique();
        invite.HasIndex(i => new { i.ProjectId, i.CreatedAt });
        invite.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CrowdMemberConfiguration : IEntityTypeConfiguration<CrowdMember>
{
    public void Configure(EntityTypeBuilder<CrowdMember> member)
    {
        member.ToTable("crowd_members");
        member.HasKey(m => m.Id);
        member.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        member.Property(m => m.Qualification).HasConversion<string>().HasMaxLength(16);
        // One sign-up per person and project; the task distributor looks a member up by it.
        member.HasIndex(m => new { m.ProjectId, m.UserId }).IsUnique();
        member.HasIndex(m => new { m.InviteId, m.State });
        member.HasOne<CrowdInvite>().WithMany().HasForeignKey(m => m.InviteId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
