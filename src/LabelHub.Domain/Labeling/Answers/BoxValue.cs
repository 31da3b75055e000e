using System.Text.Json.Serialization;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// One bounding box of a Boxes field, as it is stored and exported: x/y/width/height as fractions (0 to 1)
/// of the image's natural size, and the same box in pixels of that size. The editor always writes whole pixels;
/// an API client may leave the pixels out (all four or none), and then they are not written.
/// </summary>
public sealed record BoxValue(
    [property: JsonPropertyName("x")] double X,
    [property: JsonPropertyName("y")] double Y,
    [property: JsonPropertyName("width")] double Width,
    [property: JsonPropertyName("height")] double Height,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("x_px"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? XPx = null,
    [property: JsonPropertyName("y_px"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? YPx = null,
    [property: JsonPropertyName("width_px"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? WidthPx = null,
    [property: JsonPropertyName("height_px"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? HeightPx = null)
{
    /// <summary>Fractions summing to a little over 1 still lie inside the image (rounding).</summary>
    public const double FractionTolerance = 1e-6;

    /// <summary>Inside the image (fractions from 0 to 1) with a positive size.</summary>
    [JsonIgnore]
    public bool LiesInsideImage =>
        double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Width) && double.IsFinite(Height)
        && X >= 0 && Y >= 0 && Width > 0 && Height > 0 && X + Width <= 1 + FractionTolerance && Y + Height <= 1 + FractionTolerance;

    /// <summary>Whether an editor of this field can show the box: one of its labels, inside the image.</summary>
    public bool Fits(LabelField field) => LiesInsideImage && field.Labels.Contains(Label);

    /// <summary>
    /// Snaps a box given in fractions of the image to whole pixels (at least one pixel, inside the image) and
    /// derives the fractions from those pixels, so both always describe exactly the same box.
    /// </summary>
    public static BoxValue FromFractions(double x, double y, double width, double height, string label, int imageWidth, int imageHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        var (left, right) = Snap(x, width, imageWidth);
        var (top, bottom) = Snap(y, height, imageHeight);
        return new BoxValue(
            (double)left / imageWidth, (double)top / imageHeight, (double)(right - left) / imageWidth, (double)(bottom - top) / imageHeight,
            label, left, top, right - left, bottom - top);
    }

    /// <summary>The key gold matching compares: the label and the position to a millionth of the image.</summary>
    [JsonIgnore]
    public (string Label, long X, long Y, long Width, long Height) MatchKey =>
        (Label, Millionths(X), Millionths(Y), Millionths(Width), Millionths(Height));

    private static long Millionths(double fraction) => (long)Math.Round(fraction * 1_000_000, MidpointRounding.AwayFromZero);

    private static (int Start, int End) Snap(double start, double length, int size)
    {
        var from = Math.Clamp(Finite(start), 0, 1);
        var to = Math.Clamp(Finite(start) + Math.Max(0, Finite(length)), 0, 1);
        var startPx = (int)Math.Round(from * size, MidpointRounding.AwayFromZero);
        var endPx = (int)Math.Round(to * size, MidpointRounding.AwayFromZero);
        if (endPx <= startPx)
        {
            // A box is at least one pixel; at the far edge it grows backwards.
            if (startPx >= size)
            {
                startPx = size - 1;
            }
            endPx = startPx + 1;
        }
        return (startPx, endPx);
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
