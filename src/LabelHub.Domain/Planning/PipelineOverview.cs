using System.Text.Json.Serialization;

namespace LabelHub.Domain.Planning;

[JsonConverter(typeof(JsonStringEnumConverter<PipelineStage>))]
public enum PipelineStage
{
    Plan,
    Collect,
    Label,
    Cleanse,
    Finalize,
    SynthesizeAndLearn,
}

[JsonConverter(typeof(JsonStringEnumConverter<StageState>))]
public enum StageState
{
    NotStarted,
    InProgress,
    Done,

    /// <summary>Started, and a KPI misses its target (or the newest release failed).</summary>
    NeedsAttention,
}

[JsonConverter(typeof(JsonStringEnumConverter<KpiStatus>))]
public enum KpiStatus
{
    /// <summary>Green: the figure meets its target.</summary>
    Met,

    /// <summary>Red: the figure misses its target.</summary>
    Missed,

    /// <summary>No target is set, or the figure is not measured yet.</summary>
    NoTarget,
}

[JsonConverter(typeof(JsonStringEnumConverter<ProjectHealth>))]
public enum ProjectHealth
{
    /// <summary>Every started stage meets its targets and no earlier stage is left undone.</summary>
    Green,

    /// <summary>No target missed, but a stage before the current one is not done (the spec sheet, cleansing…).</summary>
    Amber,

    /// <summary>A stage needs attention: a KPI misses its target.</summary>
    Red,
}

/// <summary>One KPI of a stage against its target.</summary>
/// <param name="Key">Stable: "collect.items", "label.agreement" (with <paramref name="Field"/>), … the UI names it by key.</param>
/// <param name="Value">The figure; null when not measured yet.</param>
/// <param name="Target">The target; null for none.</param>
/// <param name="AtMost">Whether the target is a ceiling (a share of one source, a correction rate) rather than a floor.</param>
public sealed record StageKpi(string Key, double? Value, double? Target, bool AtMost, KpiStatus Status, string? Field = null)
{
    /// <summary>What the figure is about, in English (localized where shown): e.g. which source dominates which label.</summary>
    public string? Detail { get; init; }

    public static StageKpi Of(string key, double? value, double? target, bool atMost = false, string? field = null)
    {
        var status = value is not { } v || target is not { } t ? KpiStatus.NoTarget
            : (atMost ? v <= t + 1e-12 : v >= t - 1e-12) ? KpiStatus.Met : KpiStatus.Missed;
        return new StageKpi(key, value, target, atMost, status, field);
    }
}

/// <summary>What to do next in a stage, as an English sentence (localized where shown) and the page that does it.</summary>
public sealed record NextAction(string Text, string Link);

public sealed record StageOverview(PipelineStage Stage, StageState State, IReadOnlyList<StageKpi> Kpis, NextAction? Next);

/// <summary>The six stages of one project at a glance (issue 17), with the stage it is in and its health.</summary>
public sealed record PipelineOverview(Guid ProjectId, IReadOnlyList<StageOverview> Stages, PipelineStage CurrentStage, ProjectHealth Health)
{
    /// <summary>The stages that run in order; synthesize &amp; learn runs alongside and never holds a project back.</summary>
    private static readonly PipelineStage[] Sequence = [PipelineStage.Plan, PipelineStage.Collect, PipelineStage.Label, PipelineStage.Cleanse, PipelineStage.Finalize];

    public StageOverview this[PipelineStage stage] => Stages.First(s => s.Stage == stage);

    /// <summary>
    /// Current stage: the furthest of plan → finalize that has started (plan when none has). Health: red when a stage
    /// needs attention, amber when a stage before the current one is not done, else green.
    /// </summary>
    public static PipelineOverview Of(Guid projectId, IReadOnlyList<StageOverview> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var current = Sequence.LastOrDefault(s => stages.First(o => o.Stage == s).State != StageState.NotStarted, PipelineStage.Plan);
        ProjectHealth health;
        if (stages.Any(s => s.State == StageState.NeedsAttention))
        {
            health = ProjectHealth.Red;
        }
        else if (Sequence.TakeWhile(s => s != current).Any(s => stages.First(o => o.Stage == s).State != StageState.Done))
        {
            health = ProjectHealth.Amber;
        }
        else
        {
            health = ProjectHealth.Green;
        }
        return new PipelineOverview(projectId, stages, current, health);
    }
}
