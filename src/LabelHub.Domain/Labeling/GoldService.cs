using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <summary>Managers mark items as gold (honeypots) with their correct answer; annotators never see it before submitting.</summary>
public sealed class GoldService(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public async Task SetGoldAsync(Actor actor, Guid projectId, long itemId, Dictionary<string, JsonElement> answer, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == itemId && i.ProjectId == projectId, ct) ?? throw new NotFoundException("Item");
        AnnotationValidator.Validate(project.Schema, answer, item.Data);
        item.IsGold = true;
        item.GoldAnswer = answer;
        await db.SaveChangesAsync(ct);
    }

    public async Task UnsetGoldAsync(Actor actor, Guid projectId, long itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var changed = await db.Items.Where(i => i.Id == itemId && i.ProjectId == projectId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.IsGold, false).SetProperty(i => i.GoldAnswer, new Dictionary<string, JsonElement>()), ct);
        if (changed == 0)
        {
            throw new NotFoundException("Item");
        }
    }
}
