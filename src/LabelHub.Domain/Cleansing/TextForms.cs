using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The text operations of cleansing rules: normalisations (each returns its input instance when nothing changes, so
/// the common case allocates nothing), reader-visible length, word characters, and number and date reading.
/// </summary>
public static partial class TextForms
{
    public static string Trim(string text) => text.Trim();

    /// <summary>Every run of white space (any Unicode space separator, tab or line break) becomes one ASCII space.</summary>
    public static string CollapseWhitespace(string text)
    {
        var needed = false;
        for (var i = 0; i < text.Length && !needed; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                needed = text[i] != ' ' || (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]));
            }
        }
        if (!needed)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        var inSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!inSpace)
                {
                    builder.Append(' ');
                }
                inSpace = true;
            }
            else
            {
                builder.Append(c);
                inSpace = false;
            }
        }
        return builder.ToString();
    }

    public static string Nfc(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);

    /// <summary>U+FF01–FF5E to U+0021–007E and U+3000 to a space; everything else (half-width kana and Hangul too) as it is.</summary>
    public static string FullWidthToHalfWidth(string text)
    {
        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsFullWidthAscii(text[i]))
            {
                first = i;
                break;
            }
        }
        if (first < 0)
        {
            return text;
        }
        return string.Create(text.Length, (text, first), static (span, state) =>
        {
            state.text.AsSpan().CopyTo(span);
            for (var i = state.first; i < span.Length; i++)
            {
                span[i] = span[i] switch
                {
                    '\u3000' => ' ',
                    >= '\uFF01' and <= '\uFF5E' => (char)(span[i] - 0xFEE0),
                    var c => c,
                };
            }
        });
    }

    private static bool IsFullWidthAscii(char c) => c == '\u3000' || c is >= '\uFF01' and <= '\uFF5E';

    /// <summary>Characters as a reader counts them: extended grapheme clusters (UAX #29), so conjoining jamo make one syllable.</summary>
    public static int VisibleLength(ReadOnlySpan<char> text)
    {
        var plain = true;
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                plain = false;
                break;
            }
        }
        if (plain)
        {
            return text.Length;
        }
        var count = 0;
        while (!text.IsEmpty)
        {
            text = text[StringInfo.GetNextTextElementLength(text)..];
            count++;
        }
        return count;
    }

    /// <summary>Letters (Hangul, kana, Han), combining marks, digits and connector punctuation make words.</summary>
    public static bool IsWordCharacter(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };

    /// <summary>Whether the word character before <paramref name="offset"/> and the one at it belong to one word.</summary>
    public static bool InsideWord(string text, int offset)
    {
        if (offset <= 0 || offset >= text.Length)
        {
            return false;
        }
        if (char.IsLowSurrogate(text[offset]) && char.IsHighSurrogate(text[offset - 1]))
        {
            // Between the halves of one character: always a cut.
            return true;
        }
        return Rune.DecodeLastFromUtf16(text.AsSpan(0, offset), out var before, out _) == OperationStatus.Done
            && Rune.DecodeFromUtf16(text.AsSpan(offset), out var after, out _) == OperationStatus.Done
            && IsWordCharacter(before) && IsWordCharacter(after);
    }

    /// <summary>The start of the word <paramref name="offset"/> lies in (the offset itself when it is not inside one).</summary>
    public static int WordStart(string text, int offset)
    {
        while (InsideWord(text, offset))
        {
            offset -= char.IsLowSurrogate(text[offset - 1]) && offset >= 2 ? 2 : 1;
        }
        return offset;
    }

    /// <summary>The end of the word <paramref name="offset"/> lies in (the offset itself when it is not inside one).</summary>
    public static int WordEnd(string text, int offset)
    {
        while (InsideWord(text, offset))
        {
            offset += char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length ? 2 : 1;
        }
        return offset;
    }

    /// <summary>
    /// Reads a number written with grouping separators, full-width digits or surrounding space: "1,234.50" → 1234.5,
    /// with <paramref name="decimalComma"/> "1.234,5" → 1234.5. Groups must be of three digits, so "1,23" is no number.
    /// </summary>
    public static bool TryReadNumber(string text, bool decimalComma, out double value)
    {
        value = 0;
        var decimalMark = decimalComma ? ',' : '.';
        var groupMark = decimalComma ? '.' : ',';
        Span<char> plain = stackalloc char[Math.Min(text.Length, 64)];
        if (text.Length > 64)
        {
            return false;
        }
        var length = 0;
        var digitsInGroup = -1; // -1: no grouping seen yet
        var integerDigits = 0;
        var seenDecimal = false;
        var seenDigit = false;
        var source = text.AsSpan().Trim();
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i] is >= '\uFF01' and <= '\uFF5E' ? (char)(source[i] - 0xFEE0) : source[i];
            if (c is >= '0' and <= '9')
            {
                plain[length++] = c;
                seenDigit = true;
                if (!seenDecimal)
                {
                    integerDigits++;
                    if (digitsInGroup >= 0)
                    {
                        digitsInGroup++;
                    }
                }
            }
            else if ((c is '+' or '-') && length == 0 && !seenDigit)
            {
                plain[length++] = c;
            }
            else if (c == groupMark || c is ' ' or '\u00A0' or '\u202F')
            {
                // A grouping mark follows one to three digits first, then exactly three each time.
                if (seenDecimal || !seenDigit || (digitsInGroup < 0 ? integerDigits > 3 : digitsInGroup != 3))
                {
                    return false;
                }
                digitsInGroup = 0;
            }
            else if (c == decimalMark && !seenDecimal)
            {
                if (digitsInGroup >= 0 && digitsInGroup != 3)
                {
                    return false;
                }
                seenDecimal = true;
                plain[length++] = '.';
            }
            else
            {
                return false;
            }
        }
        if (!seenDigit || (digitsInGroup >= 0 && !seenDecimal && digitsInGroup != 3))
        {
            return false;
        }
        return double.TryParse(plain[..length], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>A number as plain invariant text: 1234.5, -3, 0.25.</summary>
    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>What reading a date gave.</summary>
    public enum DateReading
    {
        Read,
        NotADate,
        Ambiguous,
    }

    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Reads the date forms <see cref="DateFormatRule"/> lists; full-width digits are read as digits.</summary>
    public static DateReading TryReadDate(string text, DayMonthOrder order, out DateOnly date)
    {
        date = default;
        var source = FullWidthToHalfWidth(text).Trim();
        if (source.Length > 40)
        {
            return DateReading.NotADate;
        }
        if (YearFirst().Match(source) is { Success: true } ymd)
        {
            return Make(Int(ymd, 1), Int(ymd, 2), Int(ymd, 3), out date);
        }
        if (Compact().Match(source) is { Success: true } compact)
        {
            return Make(Int(compact, 1), Int(compact, 2), Int(compact, 3), out date);
        }
        if (YearLast().Match(source) is { Success: true } yearLast)
        {
            var (first, second, year) = (Int(yearLast, 1), Int(yearLast, 2), Int(yearLast, 3));
            var dayFirst = order switch
            {
                DayMonthOrder.DayFirst => true,
                DayMonthOrder.MonthFirst => false,
                DayMonthOrder.Unknown when first > 12 && second <= 12 => true,
                DayMonthOrder.Unknown when second > 12 && first <= 12 => false,
                DayMonthOrder.Unknown when first == second => true,
                DayMonthOrder.Unknown => (bool?)null,
            };
            return dayFirst is not { } isDayFirst ? DateReading.Ambiguous
                : isDayFirst ? Make(year, second, first, out date)
                : Make(year, first, second, out date);
        }
        if (DayMonthName().Match(source) is { Success: true } dmy && Month(dmy.Groups[2].Value) is { } month1)
        {
            return Make(Int(dmy, 3), month1, Int(dmy, 1), out date);
        }
        if (MonthNameDay().Match(source) is { Success: true } mdy && Month(mdy.Groups[1].Value) is { } month2)
        {
            return Make(Int(mdy, 3), month2, Int(mdy, 2), out date);
        }
        return DateReading.NotADate;
    }

    private static int Int(Match match, int group) => int.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int? Month(string name)
    {
        if (name.Length < 3)
        {
            return null;
        }
        var lower = name.ToLowerInvariant();
        for (var i = 0; i < MonthNames.Length; i++)
        {
            // Full names and their abbreviations of three letters or more ("Mar", "Sept").
            if (MonthNames[i].StartsWith(lower, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }
        return null;
    }

    private static DateReading Make(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return DateReading.NotADate;
        }
        date = new DateOnly(year, month, day);
        return DateReading.Read;
    }

    // 2024-03-05, 2024.3.5., 2024/03/05, 2024 3 5, 2024년 3월 5일, 2024年3月5日
    [GeneratedRegex(@"^([0-9]{4})\s*(?:[-./]|\s|년|年)\s*([0-9]{1,2})\s*(?:[-./]|\s|월|月)\s*([0-9]{1,2})\s*(?:\.|일|日)?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex YearFirst();

    [GeneratedRegex(@"^([0-9]{4})([0-9]{2})([0-9]{2})$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Compact();

    // 05/03/2024, 5.3.2024, 05-03-2024
    [GeneratedRegex(@"^([0-9]{1,2})\s*[-./]\s*([0-9]{1,2})\s*[-./]\s*([0-9]{4})$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex YearLast();

    // 5 March 2024, 5 Mar. 2024, 5-Mar-2024
    [GeneratedRegex(@"^([0-9]{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+([0-9]{4})$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DayMonthName();

    // March 5, 2024, Mar 5th 2024
    [GeneratedRegex(@"^([A-Za-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex MonthNameDay();
}
