using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Identity;

/// <summary>What LabelHub adds to Identity's user table (which IdentityDbContext maps).</summary>
internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> user) => user.Property(u => u.DisplayName).HasMaxLength(200);
}
