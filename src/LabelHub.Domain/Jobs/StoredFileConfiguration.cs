using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Jobs;

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> file)
    {
        file.HasKey(f => f.Id);
        file.Property(f => f.FileName).HasMaxLength(260);
        file.Property(f => f.ContentType).HasMaxLength(100);
        file.Property(f => f.Sha256).HasMaxLength(64);
        file.Property(f => f.IsComplete).HasDefaultValue(true);
        file.HasIndex(f => f.JobRunId);
        file.HasMany(f => f.Chunks).WithOne().HasForeignKey(c => c.FileId).OnDelete(DeleteBehavior.Cascade);
    }
}
