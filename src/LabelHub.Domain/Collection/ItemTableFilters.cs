using System.Linq.Expressions;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>The data manager's filters (<see cref="ItemFilter"/>) as one query over a project's items.</summary>
public static class ItemTableFilters
{
    /// <summary>How the table states an item's status; the same rules the filter applies in SQL.</summary>
    public static ItemStatus StatusOf(int takenSlots, int submittedCount, bool leased, int overlap) =>
        takenSlots == 0 && submittedCount == 0 ? ItemStatus.Unlabeled
        : takenSlots >= overlap && !leased ? ItemStatus.Completed
        : ItemStatus.InProgress;

    /// <summary>
    /// The project's items the filter selects; bad values are refused naming their member. Agreement, score and source
    /// are read from <see cref="ItemStats"/> (its indexes), the rest from the item.
    /// </summary>
    public static async Task<IQueryable<Item>> ApplyAsync(LabelHubDbContext db, Project project, ItemFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(filter);
        Validate(filter);
        var projectId = project.Id;
        var items = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId);
        items = WhereStatus(db, items, filter.Statuses, project.Overlap);
        if (filter.Field is { } field && filter.Label is { } label)
        {
            // Some current answer gives the label (ItemLabelRows says which values count), read from item_labels' index.
            items = items.Where(i => db.ItemLabels.Any(l => l.ProjectId == projectId && l.Field == field && l.Label == label && l.ItemId == i.Id));
        }
        if (filter.AnnotatorId is { } annotatorId)
        {
            items = items.Where(i => db.Annotations.Any(a => a.ItemId == i.Id && a.AnnotatorId == annotatorId && a.IsCurrent));
        }
        if (filter.AgreementBelow is { } below)
        {
            items = items.Where(i => i.Stats!.Agreement != null && i.Stats.Agreement < below);
        }
        if (filter.Gold is { } gold)
        {
            items = items.Where(i => i.IsGold == gold);
        }
        if (filter.HasPrediction is { } hasPrediction)
        {
            items = hasPrediction
                ? items.Where(i => db.Predictions.Any(p => p.ItemId == i.Id))
                : items.Where(i => !db.Predictions.Any(p => p.ItemId == i.Id));
        }
        if (filter.ScoreMin is { } min)
        {
            items = items.Where(i => i.Stats!.PredictionScore != null && i.Stats.PredictionScore >= min);
        }
        if (filter.ScoreMax is { } max)
        {
            items = items.Where(i => i.Stats!.PredictionScore != null && i.Stats.PredictionScore <= max);
        }
        if (filter.SourceIds.Count > 0)
        {
            var sources = filter.SourceIds.Distinct().ToList();
            items = items.Where(i => i.Stats!.SourceId != null && sources.Contains(i.Stats.SourceId.Value));
        }
        if (filter.Synthetic is { } synthetic)
        {
            items = synthetic ? items.Where(i => i.SyntheticGeneratorId != null) : items.Where(i => i.SyntheticGeneratorId == null);
        }
        if (filter.ReleaseNumber is { } number)
        {
            items = await WhereInReleaseAsync(db, items, projectId, number, filter.Split, ct);
        }
        if (filter.Flagged is { } flagged)
        {
            items = flagged
                ? items.Where(i => db.CleansingFindings.Any(f => f.ProjectId == projectId && f.ItemId == i.Id && f.State == FindingState.Open))
                : items.Where(i => !db.CleansingFindings.Any(f => f.ProjectId == projectId && f.ItemId == i.Id && f.State == FindingState.Open));
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            items = ItemTableSearch.Where(db, items, filter.Search.Trim());
        }
        return items;
    }

    private static void Validate(ItemFilter filter)
    {
        if (filter.Field is null != filter.Label is null)
        {
            throw filter.Field is null
                ? new ValidationException("field", "Give the field whose label you filter by.")
                : new ValidationException("label", "Give the label to filter the field by.");
        }
        if (filter.Label is { Length: > ItemLabel.MaxLabelLength })
        {
            throw new ValidationException("label", $"A label to filter by has at most {ItemLabel.MaxLabelLength} characters.");
        }
        if (filter.AgreementBelow is { } below && (double.IsNaN(below) || below < 0 || below > 1))
        {
            throw new ValidationException("agreementBelow", "Agreement is a share from 0 to 1.");
        }
        if (filter.ScoreMin is { } min && (double.IsNaN(min) || min < 0 || min > 1))
        {
            throw new ValidationException("scoreMin", "A model score is from 0 to 1.");
        }
        if (filter.ScoreMax is { } max && (double.IsNaN(max) || max < 0 || max > 1))
        {
            throw new ValidationException("scoreMax", "A model score is from 0 to 1.");
        }
        if (filter.ScoreMin > filter.ScoreMax)
        {
            throw new ValidationException("scoreMin", "The lowest score is above the highest.");
        }
        if (filter.Split is { } split && filter.ReleaseNumber is null)
        {
            throw new ValidationException("split", "A split filters the items of a release: give the release too.");
        }
        if (filter.Split is { } name && !SplitNames.All.Contains(name, StringComparer.Ordinal))
        {
            throw new ValidationException("split", "The split is train, validation or test.");
        }
    }

    private static IQueryable<Item> WhereStatus(LabelHubDbContext db, IQueryable<Item> items, IReadOnlyList<ItemStatus> statuses, int overlap)
    {
        var wanted = statuses.Distinct().ToList();
        if (wanted.Count is 0 or 3)
        {
            return items;
        }
        // Same rules as StatusOf and ItemQueries.WhereCompleted (every slot used, none merely reserved).
        Expression<Func<Item, bool>> unlabeled = i => i.TakenSlots == 0 && i.SubmittedCount == 0;
        // On SQLite "taken_slots >= overlap" plus the query filter's "taken_slots < PendingSlots" reads as a narrow range of
        // the next-task index, so the planner walked that index and sorted every completed item (2.3 s at 1,000,000);
        // adding a parameter (always 0) hides the column from the planner, which then walks the sort's own index.
        var hideFromPlanner = db.Provider == DatabaseProvider.Sqlite ? 0 : (int?)null;
        Expression<Func<Item, bool>> completed = hideFromPlanner is { } zero
            ? i => i.TakenSlots + zero >= overlap && !db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased)
            : i => i.TakenSlots >= overlap && !db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased);
        Expression<Func<Item, bool>> inProgress = i => !(i.TakenSlots == 0 && i.SubmittedCount == 0)
            && !(i.TakenSlots >= overlap && !db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased));
        var parts = wanted.Select(s => s switch
        {
            ItemStatus.Unlabeled => unlabeled,
            ItemStatus.InProgress => inProgress,
            ItemStatus.Completed => completed,
            _ => throw new ArgumentOutOfRangeException(nameof(statuses)),
        }).ToList();
        var row = parts[0].Parameters[0];
        var body = parts.Skip(1).Aggregate(parts[0].Body, (acc, p) => Expression.OrElse(acc, new Rebind(p.Parameters[0], row).Visit(p.Body)));
        return items.Where(Expression.Lambda<Func<Item, bool>>(body, row));
    }

    private static async Task<IQueryable<Item>> WhereInReleaseAsync(LabelHubDbContext db, IQueryable<Item> items, Guid projectId, int number, string? split, CancellationToken ct)
    {
        var releaseIds = await db.Releases.AsNoTracking().Where(r => r.ProjectId == projectId && r.Number == number).Select(r => r.Id).ToListAsync(ct);
        if (releaseIds.Count == 0)
        {
            throw new ValidationException("release", $"The project has no release {number}.");
        }
        var releaseId = releaseIds[0];
        if (split is null)
        {
            return items.Where(i => db.ReleaseItems.Any(r => r.ReleaseId == releaseId && r.ItemId == i.Id));
        }
        var index = (short)SplitNames.All.ToList().IndexOf(split);
        return items.Where(i => db.ReleaseItems.Any(r => r.ReleaseId == releaseId && r.ItemId == i.Id && r.Split == index));
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
