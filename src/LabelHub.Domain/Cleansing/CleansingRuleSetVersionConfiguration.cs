using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Cleansing;

internal sealed class CleansingRuleSetVersionConfiguration : IEntityTypeConfiguration<CleansingRuleSetVersion>
{
    public void Configure(EntityTypeBuilder<CleansingRuleSetVersion> ruleSet)
    {
        ruleSet.ToTable("cleansing_rule_sets");
        ruleSet.HasKey(r => r.Id);
        ruleSet.Property(r => r.RulesJson).HasColumnName("rules");
        ruleSet.HasIndex(r => new { r.ProjectId, r.Version }).IsUnique();
        ruleSet.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
