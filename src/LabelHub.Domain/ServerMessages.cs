using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LabelHub.Domain;

/// <summary>One message the server can say: a stable code, the English template the code writes, and its Korean.</summary>
/// <param name="Code">Stable, for scripts: e.g. "review.reject_needs_comment".</param>
/// <param name="En">The English text with {0}, {1}… where values go (as the code writes it, formats included).</param>
/// <param name="Ko">The Korean text; the same placeholders, in any order.</param>
public sealed record ServerMessage(string Code, string En, string Ko);

/// <summary>
/// Server messages in the reader's language. The domain keeps writing plain English (exceptions, validation errors,
/// job summaries, reasons for undefined figures: what logs and stored rows hold); the catalog
/// (Resources/ServerMessages/*.json, one file per stage) knows each English template with its code and Korean.
/// A message is translated where it is read (the API's problem details, a page, a job's row), by matching it
/// against the templates: the values in it are carried over as written, and a value that is itself a message (a
/// file's line error inside an import failure) is translated too. Text that matches nothing stays as it is.
/// </summary>
public static partial class ServerMessages
{
    private const int MaxDepth = 3;

    private static readonly Lazy<Compiled[]> Entries = new(Load);

    /// <summary>Every message of the catalog.</summary>
    public static IReadOnlyList<ServerMessage> Catalog => [.. Entries.Value.Select(e => e.Message)];

    public static string Localize(string? text, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        if (string.IsNullOrEmpty(text) || !IsKorean(culture))
        {
            return text ?? "";
        }
        return Translate(text, 0);
    }

    /// <summary>The stable code of a message the catalog knows; null for any other text.</summary>
    public static string? CodeOf(string? text) => string.IsNullOrEmpty(text) ? null : Match(text)?.Entry.Message.Code;

    private static bool IsKorean(CultureInfo culture) => culture.TwoLetterISOLanguageName == "ko";

    private static string Translate(string text, int depth)
    {
        if (Match(text) is not { } match)
        {
            return text;
        }
        var values = match.Values.Select(v => depth < MaxDepth ? Translate(v, depth + 1) : v).ToArray();
        return Placeholder().Replace(match.Entry.Message.Ko, m =>
        {
            var index = int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture);
            return index < values.Length ? values[index] : m.Value;
        });
    }

    private static (Compiled Entry, string[] Values)? Match(string text)
    {
        foreach (var entry in Entries.Value)
        {
            if (!text.StartsWith(entry.Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var match = entry.Pattern.Match(text);
            if (match.Success)
            {
                var values = new string[entry.PlaceholderCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = match.Groups[$"p{i}"].Value;
                }
                return (entry, values);
            }
        }
        return null;
    }

    private sealed record Compiled(ServerMessage Message, string Prefix, Regex Pattern, int PlaceholderCount);

    private static Compiled[] Load()
    {
        var assembly = typeof(ServerMessages).Assembly;
        var messages = new List<ServerMessage>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".ServerMessages.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            messages.AddRange(JsonSerializer.Deserialize<List<ServerMessage>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
                ?? throw new InvalidDataException($"{name} holds no messages."));
        }
        // The most specific template first: "Line {0}: {1}" must not take a text that a longer template spells out.
        return [.. messages.Select(Compile).OrderByDescending(e => e.LiteralLength).ThenBy(e => e.Compiled.Message.Code, StringComparer.Ordinal).Select(e => e.Compiled)];
    }

    private static (Compiled Compiled, int LiteralLength) Compile(ServerMessage message)
    {
        var pattern = new StringBuilder("^");
        var position = 0;
        var literal = 0;
        var seen = new HashSet<int>();
        string? prefix = null;
        foreach (Match placeholder in Placeholder().Matches(message.En))
        {
            var text = message.En[position..placeholder.Index];
            prefix ??= text;
            literal += text.Length;
            pattern.Append(Regex.Escape(text));
            var index = int.Parse(placeholder.Groups["index"].Value, CultureInfo.InvariantCulture);
            // A placeholder used twice must hold the same value both times.
            pattern.Append(seen.Add(index) ? $"(?<p{index}>.*?)" : $@"\k<p{index}>");
            position = placeholder.Index + placeholder.Length;
        }
        var rest = message.En[position..];
        literal += rest.Length;
        pattern.Append(Regex.Escape(rest)).Append('$');
        var count = seen.Count == 0 ? 0 : seen.Max() + 1;
        return (new Compiled(message, prefix ?? message.En, new Regex(pattern.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant), count), literal);
    }

    [GeneratedRegex(@"\{(?<index>\d+)(?::[^{}]*)?\}")]
    private static partial Regex Placeholder();
}
