using System.Globalization;
using System.Text;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>Items of one split carrying one label of a field.</summary>
public sealed record DatasheetLabelCount(string Field, string Label, string Split, long Items);

/// <summary>Agreement among annotators on a field (the measure named, e.g. "Krippendorff's alpha"); null when undefined.</summary>
public sealed record DatasheetAgreement(string Field, string Measure, double? Value);

public sealed record DatasheetGuideline(int Version, DateTimeOffset PublishedAt);

public sealed record DatasheetAnnotator(string Name, long Answers, double Hours);

/// <summary>Corrections the cleansing stage made, by where they came from (label errors, disagreements, rules…).</summary>
public sealed record DatasheetCorrections(string Source, long Count);

/// <summary>
/// Everything a release's datasheet says, gathered by the caller; <see cref="ReleaseDatasheet.Render(ReleaseDatasheetModel, DatasheetLanguage)"/>
/// only writes it. The sentences in it (filter, aggregation, quality source…) are in the language it is rendered in.
/// </summary>
public sealed record ReleaseDatasheetModel
{
    public required string ProjectName { get; init; }
    public string? Description { get; init; }
    public required LabelSchema Schema { get; init; }
    public required int ReleaseNumber { get; init; }
    public required DateTimeOffset CutAt { get; init; }
    public required string Filter { get; init; }
    public required string Aggregation { get; init; }
    public required string SplitSettings { get; init; }
    public required IReadOnlyList<(string Split, long Items)> ItemsPerSplit { get; init; }
    public IReadOnlyList<DatasheetLabelCount> LabelCounts { get; init; } = [];

    /// <summary>Items left without a final answer per field because the vote tied (left for adjudication).</summary>
    public IReadOnlyList<(string Field, long Items)> Ties { get; init; } = [];

    public IReadOnlyList<DatasheetAgreement> Agreement { get; init; } = [];

    /// <summary>Where agreement and gold accuracy come from (which quality report, when); written above them when given.</summary>
    public string? QualitySource { get; init; }

    /// <summary>Share of gold answers annotators matched; null when there were no gold items.</summary>
    public double? GoldAccuracy { get; init; }

    public long GoldItems { get; init; }
    public IReadOnlyList<DatasheetGuideline> Guidelines { get; init; } = [];
    public IReadOnlyList<DatasheetAnnotator> Annotators { get; init; } = [];

    /// <summary>How the annotators' hours were measured; written under their table when given.</summary>
    public string? HoursMethod { get; init; }
    public int CleansingRuns { get; init; }
    public IReadOnlyList<DatasheetCorrections> Corrections { get; init; } = [];

    /// <summary>Items made by generation rather than collected (ADR 0019), in the release.</summary>
    public long SyntheticItems { get; init; }

    /// <summary>The generators that made <see cref="SyntheticItems"/>, with how many each ("LabelHub GAN v2", 30).</summary>
    public IReadOnlyList<(string Generator, long Items)> SyntheticGenerators { get; init; } = [];
}

/// <summary>
/// The release's datasheet, in English (datasheet.md in every download) and in Korean (datasheet.ko.md): each file is
/// the same bytes for everyone, the page shows the one in the reader's language. Numbers are written invariantly and
/// nothing depends on the clock or the current culture, so the text is a function of the model and the language. Known limitations are worked out from the numbers (<see cref="Limitations(ReleaseDatasheetModel, DatasheetLanguage)"/>).
/// </summary>
public static class ReleaseDatasheet
{
    /// <summary>A label with fewer items than this in a split is too small to train or test on reliably.</summary>
    public const long TinyClass = 10;

    /// <summary>Agreement below this (Krippendorff's rule of thumb for tentative conclusions) marks a field as unreliable.</summary>
    public const double LowAgreement = 0.667;

    /// <summary>The datasheet in English: the datasheet.md of every download.</summary>
    public static string Render(ReleaseDatasheetModel model) => Render(model, DatasheetLanguage.English);

    public static string Render(ReleaseDatasheetModel model, DatasheetLanguage language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var w = DatasheetWords.For(language);
        var md = new StringBuilder();
        md.Append("# ").Append(w.Title(Escape(model.ProjectName), N(model.ReleaseNumber))).Append("\n\n");
        md.Append(w.CutOn(model.CutAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append("\n\n");
        md.Append("## ").Append(w.Purpose).Append("\n\n").Append(string.IsNullOrWhiteSpace(model.Description) ? w.NoDescription : model.Description.Trim()).Append("\n\n");

        md.Append("## ").Append(w.Schema).Append("\n\n").Append(w.SchemaHeader).Append("\n| --- | --- | --- |\n");
        foreach (var field in model.Schema.Fields)
        {
            md.Append("| ").Append(Escape(field.Name)).Append(" | ").Append(w.Kind(field.Kind)).Append(" | ")
                .Append(Escape(string.Join(", ", field.Labels))).Append(" |\n");
        }

        md.Append("\n## ").Append(w.HowItWasMade).Append("\n\n");
        md.Append("- ").Append(w.Filter).Append(": ").Append(Escape(model.Filter)).Append('\n');
        md.Append("- ").Append(w.Aggregation).Append(": ").Append(Escape(model.Aggregation)).Append('\n');
        md.Append("- ").Append(w.Splits).Append(": ").Append(Escape(model.SplitSettings)).Append("\n\n");

        md.Append("## ").Append(w.Items).Append("\n\n").Append(w.ItemsHeader).Append("\n| --- | ---: |\n");
        foreach (var (split, items) in model.ItemsPerSplit)
        {
            md.Append("| ").Append(Escape(w.Split(split))).Append(" | ").Append(N(items)).Append(" |\n");
        }
        md.Append("| ").Append(w.Total).Append(" | ").Append(N(model.ItemsPerSplit.Sum(s => s.Items))).Append(" |\n");

        if (model.LabelCounts.Count > 0)
        {
            var splits = model.ItemsPerSplit.Select(s => s.Split).ToList();
            md.Append("\n## ").Append(w.Labels).Append("\n\n").Append(w.LabelsHeader).Append(' ')
                .Append(string.Join(" | ", splits.Select(s => Escape(w.Split(s))))).Append(" |\n| --- | --- |");
            md.Append(string.Concat(splits.Select(_ => " ---: |"))).Append('\n');
            foreach (var group in model.LabelCounts.GroupBy(c => (c.Field, c.Label)))
            {
                md.Append("| ").Append(Escape(group.Key.Field)).Append(" | ").Append(Escape(group.Key.Label)).Append(" |");
                foreach (var split in splits)
                {
                    md.Append(' ').Append(N(group.Where(c => c.Split == split).Sum(c => c.Items))).Append(" |");
                }
                md.Append('\n');
            }
        }

        md.Append("\n## ").Append(w.Quality).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(model.QualitySource))
        {
            md.Append(model.QualitySource.Trim()).Append("\n\n");
        }
        if (model.Agreement.Count > 0)
        {
            md.Append(w.AgreementHeader).Append("\n| --- | --- | ---: |\n");
            foreach (var a in model.Agreement)
            {
                md.Append("| ").Append(Escape(a.Field)).Append(" | ").Append(Escape(a.Measure)).Append(" | ").Append(a.Value is { } v ? F(v) : w.Undefined).Append(" |\n");
            }
            md.Append('\n');
        }
        md.Append("- ").Append(w.GoldAccuracy).Append(": ").Append(model.GoldAccuracy is { } gold ? w.GoldOver(P(gold), N(model.GoldItems)) : w.NoGold).Append('\n');
        md.Append("- ").Append(w.Ties).Append(": ")
            .Append(model.Ties.All(t => t.Items == 0) ? w.None : string.Join(", ", model.Ties.Where(t => t.Items > 0).Select(t => $"{Escape(t.Field)} ({N(t.Items)})"))).Append('\n');
        md.Append("- ").Append(w.Guidelines).Append(": ")
            .Append(model.Guidelines.Count == 0 ? w.None : string.Join(", ", model.Guidelines.Select(g => $"v{N(g.Version)} ({g.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})"))).Append("\n\n");

        md.Append("## ").Append(w.Annotators).Append("\n\n");
        if (model.Annotators.Count == 0)
        {
            md.Append(w.NoAnswers).Append('\n');
        }
        else
        {
            md.Append(w.AnnotatorsHeader).Append("\n| --- | ---: | ---: |\n");
            foreach (var a in model.Annotators)
            {
                md.Append("| ").Append(Escape(a.Name)).Append(" | ").Append(N(a.Answers)).Append(" | ").Append(a.Hours.ToString("0.0", CultureInfo.InvariantCulture)).Append(" |\n");
            }
            md.Append("| ").Append(w.Total).Append(" | ").Append(N(model.Annotators.Sum(a => a.Answers))).Append(" | ")
                .Append(model.Annotators.Sum(a => a.Hours).ToString("0.0", CultureInfo.InvariantCulture)).Append(" |\n");
            if (!string.IsNullOrWhiteSpace(model.HoursMethod))
            {
                md.Append('\n').Append(model.HoursMethod.Trim()).Append('\n');
            }
        }

        md.Append("\n## ").Append(w.Cleansing).Append("\n\n").Append(w.Runs(model.CleansingRuns, N(model.CleansingRuns)));
        md.Append(model.Corrections.Count == 0
            ? w.NoCorrections + "\n"
            : w.CorrectionsList(string.Join(", ", model.Corrections.Select(c => $"{Escape(c.Source)} {N(c.Count)}"))) + "\n");

        md.Append("\n## ").Append(w.KnownLimitations).Append("\n\n");
        var limitations = Limitations(model, language);
        md.Append(limitations.Count == 0 ? w.NoLimitations + "\n" : string.Concat(limitations.Select(l => "- " + l + "\n")));
        return md.ToString();
    }

    public static List<string> Limitations(ReleaseDatasheetModel model) => Limitations(model, DatasheetLanguage.English);

    /// <summary>What the numbers say a user of the release should know: tiny classes, low agreement, ties, synthetic items, empty splits.</summary>
    public static List<string> Limitations(ReleaseDatasheetModel model, DatasheetLanguage language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var w = DatasheetWords.For(language);
        var found = new List<string>();
        foreach (var (split, items) in model.ItemsPerSplit.Where(s => s.Items == 0))
        {
            found.Add(w.EmptySplit(Escape(w.Split(split))));
        }
        foreach (var tiny in model.LabelCounts.Where(c => c.Items < TinyClass))
        {
            found.Add(w.TinyClass(Escape(tiny.Label), Escape(tiny.Field), N(tiny.Items), Escape(w.Split(tiny.Split))));
        }
        foreach (var low in model.Agreement.Where(a => a.Value is < LowAgreement))
        {
            found.Add(w.LowAgreement(Escape(low.Field), F(low.Value!.Value)));
        }
        foreach (var undefined in model.Agreement.Where(a => a.Value is null))
        {
            found.Add(w.UnmeasuredAgreement(Escape(undefined.Field)));
        }
        foreach (var (field, items) in model.Ties.Where(t => t.Items > 0))
        {
            found.Add(w.Tied(N(items), Escape(field)));
        }
        if (model.SyntheticItems > 0)
        {
            var synthetic = w.Synthetic(N(model.SyntheticItems));
            if (model.SyntheticGenerators.Count > 0)
            {
                synthetic += " " + w.SyntheticMadeBy(string.Join(", ", model.SyntheticGenerators.Select(g => $"{Escape(g.Generator)} ({N(g.Items)})")));
            }
            found.Add(synthetic);
        }
        if (model.GoldAccuracy is null)
        {
            found.Add(w.NoGoldLimitation);
        }
        return found;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string P(double value) => value.ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>Text from users in a table cell or line: a '|' would end the cell, a line break the row.</summary>
    private static string Escape(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
