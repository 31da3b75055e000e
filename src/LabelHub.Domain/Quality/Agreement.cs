namespace LabelHub.Domain.Quality;

/// <summary>
/// One agreement (or accuracy) figure and what it rests on. A figure that cannot be computed (a single category,
/// no item with two annotations, …) has no value and says why; it is never NaN.
/// </summary>
/// <param name="Value">The statistic, or null when undefined.</param>
/// <param name="Items">How many items (units) the figure rests on.</param>
/// <param name="UndefinedReason">Why there is no value; null when there is one.</param>
public sealed record Agreement(double? Value, int Items, string? UndefinedReason = null)
{
    public static Agreement Of(double value, int items) =>
        double.IsFinite(value) ? new Agreement(value, items) : Undefined(items, "The statistic is not a finite number for these data.");

    public static Agreement Undefined(int items, string reason) => new(null, items, reason);

    public bool IsDefined => Value is not null;
}
