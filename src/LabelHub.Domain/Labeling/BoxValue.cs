using System.Text.Json.Serialization;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// One bounding box of a Boxes field, as it is stored and exported: x/y/width/height as fractions (0 to 1)
/// of the image's natural size, and the same box in whole pixels of that size.
/// </summary>
public sealed record BoxValue(
    [property: JsonPropertyName("x")] double X,
    [property: JsonPropertyName("y")] double Y,
    [property: JsonPropertyName("width")] double Width,
    [property: JsonPropertyName("height")] double Height,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("x_px")] int XPx,
    [property: JsonPropertyName("y_px")] int YPx,
    [property: JsonPropertyName("width_px")] int WidthPx,
    [property: JsonPropertyName("height_px")] int HeightPx)
{
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
