namespace LabelHub.Domain.Learning;

/// <summary>acc(n) = A − B · n^(−C): the fitted inverse power law.</summary>
/// <param name="A">The accuracy the curve levels off at.</param>
/// <param name="Rmse">Root mean squared error of the fit over the points, in accuracy units.</param>
public sealed record LearningCurveFit(double A, double B, double C, double Rmse)
{
    /// <summary>The expected accuracy with this many labels, clamped to [0, 1].</summary>
    public double Predict(int labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labels, 1);
        return Math.Clamp(A - B * Math.Pow(labels, -C), 0, 1);
    }

    /// <summary>The expected accuracy gained by labeling <paramref name="extraLabels"/> more items after <paramref name="labels"/>.</summary>
    public double GainFrom(int labels, int extraLabels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraLabels);
        return Predict(labels + extraLabels) - Predict(labels);
    }
}

/// <summary>
/// The learning curve across active-learning rounds, to say what more labels would buy. Accuracy against training
/// set size is well described by an inverse power law (Figueroa et al. 2012, "Predicting sample size required for
/// classification performance"; Hestness et al. 2017).
/// </summary>
public static class LearningCurve
{
    public const double MaxExponent = 2;

    private const int GridSteps = 400;

    /// <summary>
    /// Least squares over C ∈ (0, 2]: for a fixed C the model is linear in A and B, so each C on a grid gets its
    /// closed-form A and B, and a golden-section search refines the best C between its grid neighbours.
    /// </summary>
    /// <param name="points">
    /// Label count and accuracy per round. Points with no labels or a non-finite accuracy say nothing about the
    /// curve's shape and are left out.
    /// </param>
    /// <returns>
    /// Null with fewer than 3 distinct label counts, or when the fitted accuracy does not rise across the observed label
    /// counts (B ≤ 0, or flat points): then there is no curve to extrapolate.
    /// </returns>
    public static LearningCurveFit? Fit(IReadOnlyList<(int Labels, double Accuracy)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => p.Labels > 0 && double.IsFinite(p.Accuracy)).ToArray();
        if (usable.Select(p => p.Labels).Distinct().Count() < 3)
        {
            return null;
        }

        const double step = MaxExponent / GridSteps;
        var bestExponent = step;
        var bestError = double.PositiveInfinity;
        for (var i = 1; i <= GridSteps; i++)
        {
            var error = LinearFit(usable, i * step).SquaredError;
            if (error < bestError)
            {
                bestError = error;
                bestExponent = i * step;
            }
        }
        var exponent = GoldenSection(usable, Math.Max(bestExponent - step, step / 100), Math.Min(bestExponent + step, MaxExponent));
        if (LinearFit(usable, exponent).SquaredError > bestError)
        {
            exponent = bestExponent;
        }

        var (a, b, squaredError) = LinearFit(usable, exponent);
        var fewest = usable.Min(p => p.Labels);
        var most = usable.Max(p => p.Labels);
        // Flat points fit any exponent with B ≈ 0: a rise across the observed rounds of round-off size is no curve.
        var rise = b * (Math.Pow(fewest, -exponent) - Math.Pow(most, -exponent));
        if (!(b > 0) || !(rise > 1e-9) || !double.IsFinite(a) || !double.IsFinite(squaredError))
        {
            return null;
        }
        return new LearningCurveFit(a, b, exponent, Math.Sqrt(squaredError / usable.Length));
    }

    /// <summary>For a fixed C, acc = A − B·x with x = n^(−C) is ordinary least squares in (A, B).</summary>
    private static (double A, double B, double SquaredError) LinearFit((int Labels, double Accuracy)[] points, double exponent)
    {
        double meanX = 0, meanY = 0;
        foreach (var (labels, accuracy) in points)
        {
            meanX += Math.Pow(labels, -exponent);
            meanY += accuracy;
        }
        meanX /= points.Length;
        meanY /= points.Length;
        double covariance = 0, varianceX = 0;
        foreach (var (labels, accuracy) in points)
        {
            var dx = Math.Pow(labels, -exponent) - meanX;
            covariance += dx * (accuracy - meanY);
            varianceX += dx * dx;
        }
        if (!(varianceX > 0))
        {
            return (meanY, 0, double.PositiveInfinity);
        }
        var slope = covariance / varianceX;
        var intercept = meanY - slope * meanX;
        var squaredError = 0.0;
        foreach (var (labels, accuracy) in points)
        {
            var residual = accuracy - (intercept + slope * Math.Pow(labels, -exponent));
            squaredError += residual * residual;
        }
        return (intercept, -slope, squaredError);
    }

    private static double GoldenSection((int Labels, double Accuracy)[] points, double low, double high)
    {
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double left = high - ratio * (high - low), right = low + ratio * (high - low);
        double leftError = LinearFit(points, left).SquaredError, rightError = LinearFit(points, right).SquaredError;
        for (var i = 0; i < 60 && high - low > 1e-10; i++)
        {
            if (leftError <= rightError)
            {
                high = right;
                right = left;
                rightError = leftError;
                left = high - ratio * (high - low);
                leftError = LinearFit(points, left).SquaredError;
            }
            else
            {
                low = left;
                left = right;
                leftError = rightError;
                right = low + ratio * (high - low);
                rightError = LinearFit(points, right).SquaredError;
            }
        }
        return (low + high) / 2;
    }
}
