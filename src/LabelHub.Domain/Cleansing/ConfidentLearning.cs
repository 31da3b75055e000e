namespace LabelHub.Domain.Cleansing;

/// <summary>Which examples of the calibrated confident joint's off-diagonal count are reported as label issues.</summary>
public enum LabelIssueFilter
{
    /// <summary>
    /// For each off-diagonal cell (given i, true j) of the calibrated joint, the examples labeled i with the largest
    /// margin P[x, j] − P[x, i], as many as the cell counts (cleanlab's default filter).
    /// </summary>
    PruneByNoiseRate,

    /// <summary>For each given label i, the examples with the lowest P[x, i], as many as row i's off-diagonal count.</summary>
    PruneByClass,

    /// <summary>Only examples both <see cref="PruneByNoiseRate"/> and <see cref="PruneByClass"/> flag: fewer, surer issues.</summary>
    Both,

    /// <summary>The examples counted off the diagonal of the (uncalibrated) confident joint: C_confusion in the paper.</summary>
    ConfidentJointOffDiagonal,
}

/// <summary>The order suspected errors are listed in, least likely correct first.</summary>
public enum LabelIssueRanking
{
    /// <summary>P[x, y], the probability of the given label.</summary>
    SelfConfidence,

    /// <summary>P[x, y] − max over j ≠ y of P[x, j]; negative when another class is more probable.</summary>
    NormalizedMargin,
}

/// <param name="Filter">
/// Which examples are issues. <see cref="LabelIssueFilter.Both"/> by default: in the simulations of
/// docs/cleansing/label-errors.md it is the most precise filter at nearly every noise rate and model strength, for
/// about 0.01 less recall than <see cref="LabelIssueFilter.PruneByNoiseRate"/>, and every false issue costs a
/// reviewer's time.
/// </param>
/// <param name="Ranking">How the issues are ordered.</param>
/// <param name="MinExamplesPerClass">A given label with at most this many examples is never pruned (cleanlab's min_examples_per_class).</param>
/// <param name="MaxSelfConfidence">
/// An issue is kept only when the model gives its given label less than this probability (1 keeps every issue the
/// filter finds). The filter counts every confident mistake of the model as a label error, so with a model about 85 %
/// right it flags half again as many answers as are wrong; the mistakes it adds are between look-alike classes, where
/// the given label still gets some probability, while a wrong label usually gets almost none
/// (docs/cleansing/label-errors.md has the curve).
/// </param>
public sealed record ConfidentLearningOptions(
    LabelIssueFilter Filter = LabelIssueFilter.Both,
    LabelIssueRanking Ranking = LabelIssueRanking.SelfConfidence,
    int MinExamplesPerClass = 1,
    double MaxSelfConfidence = 1.0);

/// <summary>One suspected label error.</summary>
/// <param name="Index">The example's position in the input.</param>
/// <param name="GivenLabel">The label it has.</param>
/// <param name="SuggestedLabel">argmax over classes of P[x, ·] (the lowest class on a tie).</param>
/// <param name="SelfConfidence">P[x, given].</param>
/// <param name="NormalizedMargin">P[x, given] − max over j ≠ given of P[x, j].</param>
/// <param name="Score">The ranking's score: <see cref="SelfConfidence"/> or <see cref="NormalizedMargin"/>; lower is more suspect.</param>
public sealed record LabelIssue(int Index, int GivenLabel, int SuggestedLabel, double SelfConfidence, double NormalizedMargin, double Score);

/// <summary>The outcome of ConfidentLearning.FindLabelIssues.</summary>
/// <param name="Thresholds">Per class t_j, the mean P[x, j] over the examples labeled j; null for a class nobody labeled.</param>
/// <param name="ConfidentJoint">C[i, j]: examples labeled i confidently counted as class j (diagonal at least 1), before calibration.</param>
/// <param name="CalibratedJoint">C calibrated: row i sums to the examples labeled i, the whole to n.</param>
/// <param name="Joint">Q̂[i, j] = calibrated C[i, j] / n, the estimated joint of given label i and true label j.</param>
/// <param name="NoiseMatrix">P̂(given i | true j): the columns of <paramref name="Joint"/> normalised (a column with no mass is all 0).</param>
/// <param name="EstimatedIssueCount">n − trace(calibrated C): how many labels the joint says are wrong.</param>
/// <param name="Issues">The examples found, ranked by <paramref name="Ranking"/> ascending, ties by index.</param>
public sealed record ConfidentLearningResult(
    IReadOnlyList<double?> Thresholds,
    IReadOnlyList<int[]> ConfidentJoint,
    IReadOnlyList<int[]> CalibratedJoint,
    IReadOnlyList<double[]> Joint,
    IReadOnlyList<double[]> NoiseMatrix,
    int EstimatedIssueCount,
    LabelIssueFilter Filter,
    LabelIssueRanking Ranking,
    IReadOnlyList<LabelIssue> Issues);

/// <summary>
/// Confident learning (Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels",
/// JAIR 70, 2021): from noisy labels and out-of-sample predicted probabilities, per-class thresholds, the confident
/// joint, its calibration, and the examples pruned as label issues.
/// <para>
/// The steps follow cleanlab (count.compute_confident_joint, count.calibrate_confident_joint,
/// filter.find_label_issues) so that its results are reproduced exactly: a probability counts as confident when
/// P[x, j] ≥ t_j − 10⁻⁶; with several confident classes the example goes to the overall argmax (not the argmax among
/// the confident ones), with one to that one, with none nowhere; the raw joint's diagonal is raised to at least 1;
/// rounding keeps row totals by cleanlab's round_preserving_sum; and an example whose given label is within 10⁻⁶ of
/// the largest probability is never an issue. Probabilities are a row-major n×K array, each row summing to 1.
/// </para>
/// </summary>
public static class ConfidentLearning
{
    /// <summary>cleanlab's FLOATING_POINT_COMPARISON: the slack in the threshold test and the given-label argmax test.</summary>
    public const double Slack = 1e-6;

    /// <summary>cleanlab's CONFIDENT_THRESHOLDS_LOWER_BOUND: thresholds are at least this, so a 0 probability is never confident.</summary>
    public const double MinThreshold = 2e-6;

    /// <summary>How far a row's sum may be from 1 (single-precision softmax outputs are off by about 10⁻⁷ per class).</summary>
    public const double RowSumTolerance = 1e-4;

    /// <summary>The same on single-precision probabilities (the classifier's softmax output), widened to double first.</summary>
    public static ConfidentLearningResult FindLabelIssues(IReadOnlyList<int> labels, ReadOnlySpan<float> probabilities, int classCount, ConfidentLearningOptions? options = null)
    {
        var widened = new double[probabilities.Length];
        for (var i = 0; i < widened.Length; i++)
        {
            widened[i] = probabilities[i];
        }
        return FindLabelIssues(labels, widened, classCount, options);
    }

    /// <param name="labels">The given labels, each in 0..K−1.</param>
    /// <param name="probabilities">Out-of-sample P[x, j], row-major n×K.</param>
    /// <param name="classCount">K, at least 2.</param>
    public static ConfidentLearningResult FindLabelIssues(IReadOnlyList<int> labels, ReadOnlySpan<double> probabilities, int classCount, ConfidentLearningOptions? options = null)
    {
        options ??= new ConfidentLearningOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinExamplesPerClass, nameof(options));
        if (!(options.MaxSelfConfidence is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSelfConfidence, "The self-confidence ceiling is in (0, 1].");
        }
        var data = new Data(labels, probabilities, classCount);
        var thresholds = Thresholds(data);
        var (confident, offDiagonal) = ConfidentJoint(data, thresholds);
        var calibrated = Calibrate(confident, data.LabelCounts);
        var k = classCount;
        var n = data.Count;

        var prune = KeepAtLeast(calibrated, options.MinExamplesPerClass);
        var issue = options.Filter switch
        {
            LabelIssueFilter.PruneByNoiseRate => PruneByNoiseRate(data, prune, options.MinExamplesPerClass),
            LabelIssueFilter.PruneByClass => PruneByClass(data, prune, options.MinExamplesPerClass),
            LabelIssueFilter.Both => Intersect(PruneByNoiseRate(data, prune, options.MinExamplesPerClass), PruneByClass(data, prune, options.MinExamplesPerClass)),
            LabelIssueFilter.ConfidentJointOffDiagonal => Mask(n, offDiagonal),
        };
        var issues = new List<LabelIssue>();
        for (var x = 0; x < n; x++)
        {
            if (issue[x] && !GivenLabelIsPredicted(data, x) && data.P(x, data.Labels[x]) < options.MaxSelfConfidence)
            {
                issues.Add(Describe(data, x, options.Ranking));
            }
        }
        issues.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Index.CompareTo(b.Index));

        var joint = Square<double>(k);
        var noise = Square<double>(k);
        var trace = 0;
        for (var j = 0; j < k; j++)
        {
            trace += calibrated[j][j];
            var column = 0;
            for (var i = 0; i < k; i++)
            {
                joint[i][j] = (double)calibrated[i][j] / n;
                column += calibrated[i][j];
            }
            for (var i = 0; i < k; i++)
            {
                noise[i][j] = column == 0 ? 0 : (double)calibrated[i][j] / column;
            }
        }
        return new ConfidentLearningResult(
            [.. thresholds.Select(t => double.IsPositiveInfinity(t) ? (double?)null : t)],
            confident, calibrated, joint, noise, n - trace, options.Filter, options.Ranking, issues);
    }

    /// <summary>
    /// t_j = mean of P[x, j] over the examples labeled j, at least <see cref="MinThreshold"/>. A class nobody labeled
    /// gets +∞, so no example is confident of it (cleanlab uses 2·max P, which has the same effect).
    /// </summary>
    public static double[] Thresholds(IReadOnlyList<int> labels, ReadOnlySpan<double> probabilities, int classCount) =>
        Thresholds(new Data(labels, probabilities, classCount));

    /// <summary>
    /// The raw confident joint C[given, true] with its diagonal raised to at least 1, and the examples counted off
    /// its diagonal (ascending).
    /// </summary>
    public static (int[][] Joint, int[] OffDiagonal) ConfidentJoint(IReadOnlyList<int> labels, ReadOnlySpan<double> probabilities, int classCount)
    {
        var data = new Data(labels, probabilities, classCount);
        return ConfidentJoint(data, Thresholds(data));
    }

    /// <summary>
    /// cleanlab's calibrate_confident_joint: scale each row to the count of its given label, scale the whole to n,
    /// then round each row keeping its total (<see cref="RoundPreservingSum"/>).
    /// </summary>
    public static int[][] Calibrate(IReadOnlyList<int[]> confidentJoint, IReadOnlyList<int> labelCounts)
    {
        ArgumentNullException.ThrowIfNull(confidentJoint);
        ArgumentNullException.ThrowIfNull(labelCounts);
        var k = confidentJoint.Count;
        if (confidentJoint.Any(row => row is null || row.Length != k) || labelCounts.Count != k)
        {
            throw new ArgumentException($"The confident joint has {k} rows of lengths {string.Join(", ", confidentJoint.Select(row => row?.Length ?? 0))} and there are {labelCounts.Count} label counts; it needs K rows of K and K counts.", nameof(confidentJoint));
        }
        var scaled = Square<double>(k);
        var total = 0.0;
        var n = 0;
        for (var i = 0; i < k; i++)
        {
            n += labelCounts[i];
            var row = 0.0;
            for (var j = 0; j < k; j++)
            {
                row += confidentJoint[i][j];
            }
            for (var j = 0; j < k; j++)
            {
                scaled[i][j] = confidentJoint[i][j] / Math.Max(row, 1e-100) * labelCounts[i];
                total += scaled[i][j];
            }
        }
        var calibrated = Square<int>(k);
        var cells = new double[k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                cells[j] = scaled[i][j] / Math.Max(total, 1e-100) * n;
            }
            var rounded = RoundPreservingSum(cells);
            for (var j = 0; j < k; j++)
            {
                calibrated[i][j] = rounded[j];
            }
        }
        return calibrated;
    }

    /// <summary>
    /// cleanlab's round_preserving_sum: round each value half to even, then, while the rounded total differs from the
    /// rounded sum, move up to |difference| values by one — up the ones rounded down the most, or down the ones
    /// rounded up the most. Ties go as a stable sort puts them: reversed (highest index first) when moving up, in
    /// index order when moving down.
    /// </summary>
    public static int[] RoundPreservingSum(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var length = values.Count;
        var ints = new double[length];
        var sum = 0.0;
        for (var i = 0; i < length; i++)
        {
            ints[i] = Math.Round(values[i], MidpointRounding.ToEven);
            sum += values[i];
        }
        var target = Math.Round(sum, MidpointRounding.ToEven);
        var current = Math.Round(ints.Sum(), MidpointRounding.ToEven);
        while (Math.Abs(current - target) > Slack)
        {
            var difference = Math.Round(target - current, MidpointRounding.ToEven);
            var step = difference < 0 ? -1 : 1;
            var changes = (int)Math.Min(Math.Abs(difference), length);
            var order = Enumerable.Range(0, length).ToArray();
            var residual = new double[length];
            for (var i = 0; i < length; i++)
            {
                residual[i] = values[i] - ints[i];
            }
            // Stable ascending by residual; moving up takes it reversed.
            Array.Sort(order, (a, b) => residual[a] != residual[b] ? residual[a].CompareTo(residual[b]) : a.CompareTo(b));
            if (step > 0)
            {
                Array.Reverse(order);
            }
            for (var c = 0; c < changes; c++)
            {
                ints[order[c]] += step;
            }
            current = Math.Round(ints.Sum(), MidpointRounding.ToEven);
        }
        return [.. ints.Select(v => (int)v)];
    }

    private static double[] Thresholds(Data data)
    {
        var k = data.ClassCount;
        var sums = new double[k];
        for (var x = 0; x < data.Count; x++)
        {
            sums[data.Labels[x]] += data.P(x, data.Labels[x]);
        }
        var thresholds = new double[k];
        for (var j = 0; j < k; j++)
        {
            thresholds[j] = data.LabelCounts[j] == 0 ? double.PositiveInfinity : Math.Max(sums[j] / data.LabelCounts[j], MinThreshold);
        }
        return thresholds;
    }

    private static (int[][] Joint, int[] OffDiagonal) ConfidentJoint(Data data, double[] thresholds)
    {
        var k = data.ClassCount;
        var joint = Square<int>(k);
        var offDiagonal = new List<int>();
        for (var x = 0; x < data.Count; x++)
        {
            var confidentCount = 0;
            var firstConfident = -1;
            for (var j = 0; j < k; j++)
            {
                if (data.P(x, j) >= thresholds[j] - Slack)
                {
                    confidentCount++;
                    if (firstConfident < 0)
                    {
                        firstConfident = j;
                    }
                }
            }
            if (confidentCount == 0)
            {
                continue;
            }
            var guess = confidentCount == 1 ? firstConfident : data.ArgMax(x);
            var given = data.Labels[x];
            joint[given][guess]++;
            if (guess != given)
            {
                offDiagonal.Add(x);
            }
        }
        for (var j = 0; j < k; j++)
        {
            joint[j][j] = Math.Max(joint[j][j], 1);
        }
        return (joint, [.. offDiagonal]);
    }

    /// <summary>
    /// cleanlab's _keep_at_least_n_per_class on the calibrated joint (indexed [given, true] here, where cleanlab
    /// transposes): a given label's diagonal below <paramref name="minimum"/> is raised to it, the rise taken evenly
    /// from the row's nonzero off-diagonal cells (floored at 0, truncated to whole examples).
    /// </summary>
    private static int[][] KeepAtLeast(int[][] calibrated, int minimum)
    {
        var k = calibrated.Length;
        var prune = calibrated.Select(row => (int[])row.Clone()).ToArray();
        for (var i = 0; i < k; i++)
        {
            if (calibrated[i][i] >= minimum)
            {
                continue;
            }
            var rise = minimum - calibrated[i][i];
            var nonzero = 0;
            for (var j = 0; j < k; j++)
            {
                nonzero += calibrated[i][j] != 0 ? 1 : 0;
            }
            var share = (double)rise / Math.Max(nonzero - 1, 1);
            for (var j = 0; j < k; j++)
            {
                prune[i][j] = j == i ? minimum : (int)Math.Max(calibrated[i][j] - share, 0);
            }
        }
        return prune;
    }

    private static bool[] PruneByNoiseRate(Data data, int[][] prune, int minExamples)
    {
        var k = data.ClassCount;
        var issue = new bool[data.Count];
        var margins = new List<(double Margin, int Index)>();
        for (var given = 0; given < k; given++)
        {
            if (data.LabelCounts[given] <= minExamples)
            {
                continue;
            }
            for (var truth = 0; truth < k; truth++)
            {
                var count = prune[given][truth];
                if (truth == given || count <= 0)
                {
                    continue;
                }
                margins.Clear();
                foreach (var x in data.ExamplesLabeled(given))
                {
                    margins.Add((data.P(x, truth) - data.P(x, given), x));
                }
                // The count-th largest margin is the cut; every example at or above it goes (ties may add a few).
                var cut = margins.Select(m => m.Margin).OrderByDescending(m => m).ElementAt(Math.Min(count, margins.Count) - 1);
                foreach (var (margin, x) in margins)
                {
                    if (margin >= cut)
                    {
                        issue[x] = true;
                    }
                }
            }
        }
        return issue;
    }

    private static bool[] PruneByClass(Data data, int[][] prune, int minExamples)
    {
        var k = data.ClassCount;
        var issue = new bool[data.Count];
        for (var given = 0; given < k; given++)
        {
            if (data.LabelCounts[given] <= minExamples)
            {
                continue;
            }
            var count = data.LabelCounts[given] - prune[given][given];
            if (count <= 0)
            {
                continue;
            }
            var members = data.ExamplesLabeled(given);
            // cleanlab's rank: the count-th smallest self-confidence (0-based); strictly below it is an issue.
            var rank = members.Select(x => data.P(x, given)).Order().ElementAt(Math.Min(count, members.Count - 1));
            foreach (var x in members)
            {
                if (data.P(x, given) < rank)
                {
                    issue[x] = true;
                }
            }
        }
        return issue;
    }

    private static T[][] Square<T>(int k) => [.. Enumerable.Range(0, k).Select(_ => new T[k])];

    private static bool[] Intersect(bool[] a, bool[] b)
    {
        var both = new bool[a.Length];
        for (var x = 0; x < a.Length; x++)
        {
            both[x] = a[x] && b[x];
        }
        return both;
    }

    private static bool[] Mask(int n, int[] indices)
    {
        var mask = new bool[n];
        foreach (var x in indices)
        {
            mask[x] = true;
        }
        return mask;
    }

    /// <summary>cleanlab's _reduce_issues: the given label, nudged up by <see cref="Slack"/>, is the argmax.</summary>
    private static bool GivenLabelIsPredicted(Data data, int x)
    {
        var given = data.Labels[x];
        var nudged = data.P(x, given) + Slack;
        for (var j = 0; j < given; j++)
        {
            if (data.P(x, j) >= nudged)
            {
                return false;
            }
        }
        for (var j = given + 1; j < data.ClassCount; j++)
        {
            if (data.P(x, j) > nudged)
            {
                return false;
            }
        }
        return true;
    }

    private static LabelIssue Describe(Data data, int x, LabelIssueRanking ranking)
    {
        var given = data.Labels[x];
        var self = data.P(x, given);
        var otherMax = double.NegativeInfinity;
        for (var j = 0; j < data.ClassCount; j++)
        {
            if (j != given)
            {
                otherMax = Math.Max(otherMax, data.P(x, j));
            }
        }
        var margin = self - otherMax;
        var score = ranking switch
        {
            LabelIssueRanking.SelfConfidence => self,
            LabelIssueRanking.NormalizedMargin => margin,
        };
        return new LabelIssue(x, given, data.ArgMax(x), self, margin, score);
    }

    /// <summary>Validated labels and probabilities.</summary>
    private sealed class Data
    {
        private readonly double[] _p;
        private readonly List<int>[] _byLabel;

        public Data(IReadOnlyList<int> labels, ReadOnlySpan<double> probabilities, int classCount)
        {
            ArgumentNullException.ThrowIfNull(labels);
            if (classCount < 2)
            {
                throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Confident learning needs at least 2 classes.");
            }
            if (labels.Count == 0)
            {
                throw new ArgumentException("Confident learning needs at least one labeled example.", nameof(labels));
            }
            if (probabilities.Length != (long)labels.Count * classCount)
            {
                throw new ArgumentException(
                    $"There are {labels.Count} labels and {classCount} classes, so the probabilities need {(long)labels.Count * classCount} values (row-major n×K); got {probabilities.Length}.",
                    nameof(probabilities));
            }
            ClassCount = classCount;
            Labels = [.. labels];
            LabelCounts = new int[classCount];
            _byLabel = new List<int>[classCount];
            for (var j = 0; j < classCount; j++)
            {
                _byLabel[j] = [];
            }
            for (var x = 0; x < Labels.Length; x++)
            {
                var label = Labels[x];
                if (label < 0 || label >= classCount)
                {
                    throw new ArgumentException($"Label {label} of example {x} is not a class in 0..{classCount - 1}.", nameof(labels));
                }
                LabelCounts[label]++;
                _byLabel[label].Add(x);
            }
            _p = probabilities.ToArray();
            for (var x = 0; x < Labels.Length; x++)
            {
                var sum = 0.0;
                for (var j = 0; j < classCount; j++)
                {
                    var p = _p[x * classCount + j];
                    if (!(p >= 0 && p <= 1))
                    {
                        throw new ArgumentException($"Probability [{x}, {j}] = {p} is not a number in [0, 1].", nameof(probabilities));
                    }
                    sum += p;
                }
                if (Math.Abs(sum - 1) > RowSumTolerance)
                {
                    throw new ArgumentException($"The probabilities of example {x} sum to {sum}, not 1.", nameof(probabilities));
                }
            }
        }

        public int Count => Labels.Length;

        public int ClassCount { get; }

        public int[] Labels { get; }

        public int[] LabelCounts { get; }

        public double P(int x, int j) => _p[x * ClassCount + j];

        public IReadOnlyList<int> ExamplesLabeled(int label) => _byLabel[label];

        /// <summary>The most probable class, the lowest on a tie (numpy's argmax).</summary>
        public int ArgMax(int x)
        {
            var best = 0;
            for (var j = 1; j < ClassCount; j++)
            {
                if (P(x, j) > P(x, best))
                {
                    best = j;
                }
            }
            return best;
        }
    }
}
