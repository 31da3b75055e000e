using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LabelHub.Domain.Labeling;

internal sealed class GuidelineAcknowledgementConfiguration : IEntityTypeConfiguration<GuidelineAcknowledgement>
{
    public void Configure(EntityTypeBuilder<GuidelineAcknowledgement> acknowledgement)
    {
        acknowledgement.HasKey(a => new { a.ProjectId, a.UserId, a.Version });
        acknowledgement.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
