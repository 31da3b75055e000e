namespace LabelHub.Bench.Agreement;

/// <summary>One figure computed by LabelHub and by a Python library on the same data.</summary>
/// <param name="SameData">Whether both sides saw the same items (item and rating counts agree).</param>
public sealed record ValueCheck(string Library, string Call, string Data, string Items, bool SameData, double LabelHub, double Python)
{
    public double Difference => Math.Abs(LabelHub - Python);

    public bool Match => SameData && double.IsFinite(LabelHub) && double.IsFinite(Python) && Difference <= BenchOptions.Tolerance;
}

/// <summary>A library call's time against LabelHub's on the same data (medians).</summary>
public sealed record SpeedCheck(string Library, string PythonCall, string Data, double PythonSeconds, string LabelHubCall, double LabelHubMs)
{
    /// <summary>Python time / LabelHub time.</summary>
    public double Ratio => PythonSeconds * 1000 / LabelHubMs;
}
