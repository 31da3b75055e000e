using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class AssignmentConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Assignment>
{
    public void Configure(EntityTypeBuilder<Assignment> assignment)
    {
        assignment.HasKey(a => a.Id);
        assignment.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        assignment.Property(a => a.Draft).HasJsonConversion(provider == DatabaseProvider.Postgres);
        assignment.HasIndex(a => new { a.ItemId, a.UserId }).IsUnique();
        assignment.HasIndex(a => new { a.ProjectId, a.UserId, a.State });
        assignment.HasIndex(a => new { a.State, a.LeaseExpiresAt });
        assignment.HasOne<Item>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
