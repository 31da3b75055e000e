using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Planning;

internal sealed class ProjectConfiguration(DatabaseProvider provider) : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> project)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        project.HasKey(p => p.Id);
        project.Property(p => p.Name).HasMaxLength(200);
        project.Property(p => p.Description).HasMaxLength(4000);
        project.Property(p => p.Schema).HasJsonConversion(postgres);
        project.Property(p => p.Labeling).HasJsonConversion(postgres);
        project.Property(p => p.Quality).HasJsonConversion(postgres);
        project.Property(p => p.Learning).HasJsonConversion(postgres);
        project.Property(p => p.Plan).HasJsonConversion(postgres);
        project.Property(p => p.Targets).HasJsonConversion(postgres);
        project.HasMany(p => p.Members).WithOne().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
