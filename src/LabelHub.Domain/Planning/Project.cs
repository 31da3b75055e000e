namespace LabelHub.Domain.Planning;

public class Project
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public LabelSchema Schema { get; set; } = new();

    /// <summary>How many distinct annotators each item needs.</summary>
    public int Overlap { get; set; } = 1;

    /// <summary>How long a handed-out task stays reserved for its annotator.</summary>
    public int LeaseMinutes { get; set; } = 30;

    /// <summary>Skip policy, task limits, gold mix and review rules.</summary>
    public LabelingSettings Labeling { get; set; } = new();

    /// <summary>KPI targets the quality dashboard measures against, and how often agreement is recomputed.</summary>
    public QualitySettings Quality { get; set; } = new();

    /// <summary>Active learning: the field a model learns, the sampling strategy, batch size and when rounds run.</summary>
    public Learning.LearningSettings Learning { get; set; } = new();

    /// <summary>The spec sheet the estimate is worked out from (issue 17).</summary>
    public ProjectPlan Plan { get; set; } = new();

    /// <summary>KPI targets of collect, cleanse and finalize (labeling's are in <see cref="Quality"/>).</summary>
    public StageTargets Targets { get; set; } = new();
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When a manager archived it: hidden from the project list by default, no tasks handed out; deletable.</summary>
    public DateTimeOffset? ArchivedAt { get; set; }

    public List<ProjectMember> Members { get; set; } = [];
}

public class ProjectMember
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

public enum SkipPolicy
{
    /// <summary>The slot goes back to the pool; the item is never offered to the same annotator again.</summary>
    RequeueToOthers,

    /// <summary>The item comes back to the same annotator after the rest of their queue.</summary>
    RequeueToMe,

    /// <summary>A skip uses up its slot: the item gets no further answer for it.</summary>
    Ignore,
}

/// <summary>How tasks are handed out and reviewed in a project.</summary>
public sealed record LabelingSettings
{
    public const double MaxGoldRate = 0.5;

    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<SkipPolicy>))]
    public SkipPolicy SkipPolicy { get; init; } = SkipPolicy.RequeueToOthers;

    /// <summary>At most this many tasks (submitted or reserved) per annotator; null for no limit.</summary>
    public int? MaxTasksPerAnnotator { get; init; }

    /// <summary>Share of hand-outs that are gold (honeypot) items, 0 to 0.5.</summary>
    public double GoldRate { get; init; }

    /// <summary>Whether annotators see the gold answer after submitting a gold item.</summary>
    public bool ShowGoldFeedback { get; init; }

    /// <summary>Whether a rejected answer frees its slot so the item is labeled again.</summary>
    public bool RequeueRejected { get; init; } = true;
}

/// <summary>A project's KPI targets (null: no target) and when its quality report is recomputed.</summary>
public sealed record QualitySettings
{
    public const int MinRecomputeEvery = 10;

    /// <summary>
    /// Agreement every field should reach (its headline statistic: Krippendorff's α, or F1 for spans and boxes). New
    /// projects start at 0.85, the bar issue 17 sets for label IAA; stored projects keep the target they were saved with.
    /// </summary>
    public double? AgreementTarget { get; init; } = 0.85;

    /// <summary>
    /// Per field, a target that replaces <see cref="AgreementTarget"/> for that field: a span field's F1 or a rating's
    /// ordinal α may need another bar than a choice's nominal α.
    /// </summary>
    public Dictionary<string, double> FieldAgreementTargets { get; init; } = [];

    /// <summary>Share of gold items answered correctly.</summary>
    public double? GoldAccuracyTarget { get; init; } = 0.95;

    /// <summary>The agreement target of one field: its own, else the project's.</summary>
    public double? AgreementTargetFor(string field) => FieldAgreementTargets.TryGetValue(field, out var target) ? target : AgreementTarget;

    /// <summary>Submitted labels per hour over the last 24 hours, all annotators together.</summary>
    public double? LabelsPerHourTarget { get; init; }

    /// <summary>The median time an annotator spends on a task should stay at or below this.</summary>
    public double? MedianSecondsPerTaskTarget { get; init; }

    /// <summary>The report is recomputed in the background once this many answers were submitted since the last one.</summary>
    public int RecomputeEveryAnnotations { get; init; } = 500;
}
