using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>The inverse power law fit: recovered from exact points, predictions from it, and no fit without a curve.</summary>
public sealed class LearningCurveTests
{
    private static (int, double)[] Exact(double a, double b, double c, params int[] labels) =>
        [.. labels.Select(n => (n, a - b * Math.Pow(n, -c)))];

    [Theory]
    [InlineData(0.92, 0.6, 0.45)]
    [InlineData(0.8, 1.5, 1.0)]
    [InlineData(0.97, 2.0, 0.137)]
    public void Recovers_the_curve_from_exact_points(double a, double b, double c)
    {
        var fit = LearningCurve.Fit(Exact(a, b, c, 50, 100, 200, 400, 800, 1600));

        Assert.NotNull(fit);
        Assert.Equal(a, fit.A, 1e-4);
        Assert.Equal(b, fit.B, 1e-3);
        Assert.Equal(c, fit.C, 1e-3);
        Assert.True(fit.Rmse < 1e-6, $"RMSE {fit.Rmse}");
    }

    [Fact]
    public void Predicts_more_labels_and_the_gain_from_them()
    {
        var fit = LearningCurve.Fit(Exact(0.9, 1, 0.5, 100, 200, 400, 800))!;

        // 0.9 − 1/√1600 = 0.875; 0.9 − 1/√400 = 0.85.
        Assert.Equal(0.875, fit.Predict(1600), 1e-5);
        Assert.Equal(0.025, fit.GainFrom(400, 1200), 1e-5);
        Assert.Equal(0, fit.GainFrom(400, 0));
    }

    [Fact]
    public void Noisy_rounds_fit_with_an_honest_error()
    {
        (int, double)[] rounds = [(100, 0.71), (200, 0.76), (300, 0.795), (400, 0.80), (500, 0.815), (600, 0.82)];

        var fit = LearningCurve.Fit(rounds)!;

        Assert.InRange(fit.A, 0.82, 1.0);
        Assert.InRange(fit.C, 1e-9, 2);
        Assert.InRange(fit.Rmse, 1e-4, 0.01);
        Assert.True(fit.GainFrom(600, 600) > 0);
    }

    [Fact]
    public void No_fit_from_fewer_than_three_distinct_label_counts()
    {
        Assert.Null(LearningCurve.Fit([]));
        Assert.Null(LearningCurve.Fit([(100, 0.7), (200, 0.8)]));
        Assert.Null(LearningCurve.Fit([(100, 0.7), (200, 0.8), (200, 0.81), (0, 0.3)]));
    }

    [Fact]
    public void No_fit_when_accuracy_does_not_rise_with_labels()
    {
        Assert.Null(LearningCurve.Fit([(100, 0.8), (200, 0.8), (300, 0.8)]));
        Assert.Null(LearningCurve.Fit([(100, 0.9), (200, 0.8), (300, 0.7)]));
    }
}
