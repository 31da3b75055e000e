namespace LabelHub.Domain.Planning;

/// <summary>
/// The project's spec sheet (issue 17): what the dataset is for, where its data comes from, and the figures the
/// estimate is worked out from (the label schema and the overlap live on the project itself). Null members are not
/// planned yet; the estimate names the ones it misses.
/// </summary>
public sealed record ProjectPlan
{
    /// <summary>What the dataset is for: the model it trains, the decision it supports.</summary>
    public string Purpose { get; init; } = "";

    /// <summary>What the data is and where it comes from.</summary>
    public string DataDescription { get; init; } = "";

    /// <summary>How many items the finished dataset should hold.</summary>
    public int? TargetItems { get; init; }

    /// <summary>Expected seconds an annotator spends on one label (one item's answer).</summary>
    public double? SecondsPerLabel { get; init; }

    /// <summary>How many annotators work on it.</summary>
    public int? Annotators { get; init; }

    /// <summary>Hours each annotator labels per working day.</summary>
    public double? HoursPerDay { get; init; }

    /// <summary>What an annotator hour costs, in <see cref="Currency"/>.</summary>
    public decimal? CostPerHour { get; init; }

    /// <summary>The money available for labeling, in <see cref="Currency"/>.</summary>
    public decimal? Budget { get; init; }

    /// <summary>ISO 4217 code ("KRW", "USD").</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>The first working day; null: the project's creation date.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Whether Saturdays and Sundays are working days.</summary>
    public bool WorkWeekends { get; init; }
}

/// <summary>
/// KPI targets of the stages other than labeling (issue 17); labeling's agreement, gold accuracy and throughput
/// targets stay in <see cref="QualitySettings"/>, where the quality dashboard reads them. Null: no target.
/// </summary>
public sealed record StageTargets
{
    /// <summary>Collect: no source may hold more than this share of the items (or of any label's items), 0 to 1.</summary>
    public double? MaxSourceShare { get; init; }

    /// <summary>Cleanse: at most this share of answers corrected by cleansing, 0 to 1.</summary>
    public double? MaxCorrectionRate { get; init; }

    /// <summary>Cleanse: the quality score (share of items with no open finding) should reach this, 0 to 1.</summary>
    public double? MinQualityScore { get; init; }

    /// <summary>Finalize: every checked release must rebuild, from its stored rows and unchanged items, the manifest its cut recorded.</summary>
    public bool ReproducibleReleases { get; init; } = true;
}
