using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Collection;

public static class ItemQueries
{
    /// <summary>
    /// Items that need no more work: every slot is used by an answer (or, under the "ignore" skip policy, a skip)
    /// and none is merely reserved.
    /// </summary>
    public static IQueryable<Item> WhereCompleted(this IQueryable<Item> items, LabelHubDbContext db, int overlap) =>
        items.Where(i => i.TakenSlots >= overlap && !db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased));
}
