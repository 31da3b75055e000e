using System.Text;
using LabelHub.Domain.Labeling;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>A run of the source text that the same spans cover, the unit the span field renders.</summary>
public sealed record TextSegment(int Start, int End, IReadOnlyList<int> SpanIndexes)
{
    public int Length => End - Start;
}

/// <summary>Text arithmetic for the span field: caret steps that never split a surrogate pair, words, trimming, segments.</summary>
public static class SpanText
{
    /// <summary>The caret position one character to the right.</summary>
    public static int NextStop(string text, int index)
    {
        if (index >= text.Length)
        {
            return text.Length;
        }
        return IsPairAt(text, index) ? index + 2 : index + 1;
    }

    /// <summary>The caret position one character to the left.</summary>
    public static int PreviousStop(string text, int index)
    {
        if (index <= 0)
        {
            return 0;
        }
        return index >= 2 && IsPairAt(text, index - 2) ? index - 2 : index - 1;
    }

    /// <summary>The end of the word at or after the caret (Ctrl+→).</summary>
    public static int NextWordEnd(string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        while (index < text.Length && !IsWordAt(text, index))
        {
            index = NextStop(text, index);
        }
        while (index < text.Length && IsWordAt(text, index))
        {
            index = NextStop(text, index);
        }
        return index;
    }

    /// <summary>The start of the word at or before the caret (Ctrl+←).</summary>
    public static int PreviousWordStart(string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        while (index > 0 && !IsWordAt(text, PreviousStop(text, index)))
        {
            index = PreviousStop(text, index);
        }
        while (index > 0 && IsWordAt(text, PreviousStop(text, index)))
        {
            index = PreviousStop(text, index);
        }
        return index;
    }

    /// <summary>
    /// A selection made fit to mark: clamped to the text, widened so it never splits a surrogate pair, and trimmed of
    /// surrounding whitespace. Null when nothing but whitespace is left.
    /// </summary>
    public static (int Start, int End)? Tidy(string text, int start, int end)
    {
        if (start > end)
        {
            (start, end) = (end, start);
        }
        start = Math.Clamp(start, 0, text.Length);
        end = Math.Clamp(end, 0, text.Length);
        if (start > 0 && start < text.Length && char.IsLowSurrogate(text[start]) && char.IsHighSurrogate(text[start - 1]))
        {
            start--;
        }
        if (end > 0 && end < text.Length && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]))
        {
            end++;
        }
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        return start < end ? (start, end) : null;
    }

    /// <summary>
    /// Cuts [0, length) at every span edge and at the extra cut points (the caret and the selection), so that each
    /// segment is covered by one fixed set of spans. Segments are never empty.
    /// </summary>
    public static List<TextSegment> Segments(int length, IReadOnlyList<SpanValue> spans, params int[] cuts)
    {
        var points = new SortedSet<int> { 0, length };
        foreach (var span in spans)
        {
            points.Add(Math.Clamp(span.Start, 0, length));
            points.Add(Math.Clamp(span.End, 0, length));
        }
        foreach (var cut in cuts)
        {
            points.Add(Math.Clamp(cut, 0, length));
        }
        var segments = new List<TextSegment>();
        int? previous = null;
        foreach (var point in points)
        {
            if (previous is { } start && point > start)
            {
                var covering = new List<int>();
                for (var i = 0; i < spans.Count; i++)
                {
                    if (spans[i].Covers(start, point))
                    {
                        covering.Add(i);
                    }
                }
                segments.Add(new TextSegment(start, point, covering));
            }
            previous = point;
        }
        return segments;
    }

    /// <summary>
    /// The underline track of each span (0 = closest to the text): the lowest track not taken by an overlapping span
    /// that starts earlier, so overlapping spans get stacked lines. Spans must be sorted by start.
    /// </summary>
    public static int[] Tracks(IReadOnlyList<SpanValue> sortedSpans)
    {
        var tracks = new int[sortedSpans.Count];
        var trackEnds = new List<int>();
        for (var i = 0; i < sortedSpans.Count; i++)
        {
            var span = sortedSpans[i];
            var track = trackEnds.FindIndex(end => end <= span.Start);
            if (track < 0)
            {
                track = trackEnds.Count;
                trackEnds.Add(span.End);
            }
            else
            {
                trackEnds[track] = span.End;
            }
            tracks[i] = track;
        }
        return tracks;
    }

    private static bool IsPairAt(string text, int index) =>
        index + 1 < text.Length && char.IsHighSurrogate(text[index]) && char.IsLowSurrogate(text[index + 1]);

    private static bool IsWordAt(string text, int index) =>
        Rune.TryGetRuneAt(text, index, out var rune) && (Rune.IsLetterOrDigit(rune) || rune.Value == '_');
}
