using System.Globalization;
using System.Text;
using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>A token of an item's text: [Start, End) in UTF-16 code units, as span offsets are.</summary>
public readonly record struct TextToken(int Start, int End);

/// <summary>A span the IOB2 tags could not hold, and why.</summary>
public sealed record DroppedSpan(SpanValue Span, string Reason);

/// <summary>An item's text cut into tokens with one IOB2 tag each, and the spans that could not be tagged.</summary>
public sealed record TaggedText(IReadOnlyList<TextToken> Tokens, IReadOnlyList<string> Tags, IReadOnlyList<DroppedSpan> Dropped);

/// <summary>
/// The tokenisation of the CoNLL export (docs/releases/formats.md). A token is a run of letters, marks and digits
/// (Unicode categories L, M and N: Hangul syllables are letters, so "한국어" is one token) or any other single
/// non-space character ("," "." "(" an emoji). White space separates tokens and is never part of one. Then every
/// kept span's start and end that falls inside a token cuts the token there, so a span that begins or ends mid-word
/// ("서울에서" with "서울" marked) still covers whole tokens and no span is lost to tokenisation.
/// Overlapping spans of one field cannot all be tagged in IOB2: spans are taken by start, the longer first at the
/// same start (then label, ordinal); a span overlapping one already taken is dropped and reported. So are spans
/// outside the text, empty ones and spans covering only white space.
/// </summary>
public static class ConllTokenizer
{
    public const string Outside = "O";

    /// <summary>The tokens of a text before any span cuts them.</summary>
    public static List<TextToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TextToken>();
        var runStart = -1;
        var position = 0;
        while (position < text.Length)
        {
            // Runes, so a character outside the BMP (a surrogate pair) is one character, never cut in two.
            Rune.DecodeFromUtf16(text.AsSpan(position), out var rune, out var width);
            var isWordPart = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                    or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
                _ => false,
            };
            if (isWordPart)
            {
                if (runStart < 0)
                {
                    runStart = position;
                }
            }
            else
            {
                if (runStart >= 0)
                {
                    tokens.Add(new TextToken(runStart, position));
                    runStart = -1;
                }
                if (!Rune.IsWhiteSpace(rune))
                {
                    tokens.Add(new TextToken(position, position + width));
                }
            }
            position += width;
        }
        if (runStart >= 0)
        {
            tokens.Add(new TextToken(runStart, text.Length));
        }
        return tokens;
    }

    /// <summary>The text's tokens, cut at the kept spans' edges, with their IOB2 tags (B-label, I-label, O).</summary>
    public static TaggedText Tag(string text, IReadOnlyList<SpanValue> spans)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(spans);
        var dropped = new List<DroppedSpan>();
        var kept = new List<SpanValue>();
        var keptEnd = 0;
        foreach (var span in spans.OrderBy(s => s.Start).ThenByDescending(s => s.End).ThenBy(s => s.Label, StringComparer.Ordinal))
        {
            if (span.Start < 0 || span.End > text.Length || span.Start >= span.End)
            {
                dropped.Add(new DroppedSpan(span, "outside the text or empty"));
            }
            else if (span.Start < keptEnd)
            {
                dropped.Add(new DroppedSpan(span, "overlaps an earlier span"));
            }
            else if (text.AsSpan(span.Start, span.End - span.Start).IsWhiteSpace())
            {
                dropped.Add(new DroppedSpan(span, "covers only white space"));
            }
            else
            {
                kept.Add(span);
                keptEnd = span.End;
            }
        }
        var tokens = new List<TextToken>();
        var tags = new List<string>();
        var next = 0;
        var begun = -1;
        foreach (var token in Tokenize(text))
        {
            var start = token.Start;
            // Kept spans are ordered and do not overlap: walk them along the tokens once.
            while (start < token.End)
            {
                while (next < kept.Count && kept[next].End <= start)
                {
                    next++;
                }
                var span = next < kept.Count ? kept[next] : null;
                if (span is null || span.Start >= token.End)
                {
                    tokens.Add(new TextToken(start, token.End));
                    tags.Add(Outside);
                    break;
                }
                if (span.Start > start)
                {
                    // The span starts inside this token: the part before it is outside.
                    tokens.Add(new TextToken(start, span.Start));
                    tags.Add(Outside);
                    start = span.Start;
                }
                var end = Math.Min(token.End, span.End);
                tokens.Add(new TextToken(start, end));
                // The span's first token begins it, even when the span starts on white space before that token.
                tags.Add((begun == next ? "I-" : "B-") + TagLabel(span.Label));
                begun = next;
                start = end;
            }
        }
        return new TaggedText(tokens, tags, dropped);
    }

    /// <summary>A label as a tag holds it: white space (which would split the column) becomes '_'.</summary>
    public static string TagLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return label.Any(char.IsWhiteSpace) ? new string([.. label.Select(c => char.IsWhiteSpace(c) ? '_' : c)]) : label;
    }
}
