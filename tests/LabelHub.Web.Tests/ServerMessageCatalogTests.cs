using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LabelHub.Domain;

namespace LabelHub.Web.Tests;

/// <summary>
/// Every sentence the server can say to a user has a code and a Korean text in the catalog
/// (src/LabelHub.Domain/Resources/ServerMessages), and the catalog is consistent with itself and the glossary.
/// </summary>
public sealed partial class ServerMessageCatalogTests
{
    /// <summary>Where the server writes what users read: the domain, the workers, the API's own messages.</summary>
    private static readonly string[] SourceFolders = [Path.Combine("src", "LabelHub.Domain"), Path.Combine("src", "LabelHub.Workers"), Path.Combine("src", "LabelHub.Web", "Api")];

    // Exceptions for programming errors and the host's own failures: developers read them, in logs, in English.
    private static readonly string[] DeveloperExceptions =
        ["ArgumentException", "ArgumentOutOfRangeException", "ArgumentNullException", "InvalidOperationException", "InvalidDataException", "NotSupportedException", "UnreachableException", "FormatException", "IOException"];

    // The OpenAPI document's texts (Api/OpenApiResponses.cs): developers read them, on the API reference page, in English.
    private static readonly string[] ApiDocumentationCalls = ["WithSummary(", "WithDescription(", "Describe(", "AlsoAsCsv(", "ProducesConflict("];

    [Fact]
    public void Every_sentence_the_server_says_to_users_is_in_the_catalog()
    {
        var known = ServerMessages.Catalog.Select(m => Normalize(m.En)).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (file, sentence) in UserSentences())
        {
            if (!known.Contains(sentence))
            {
                missing.Add($"{file}: {sentence}");
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} messages have no code and Korean text in src/LabelHub.Domain/Resources/ServerMessages:\n" + string.Join("\n", missing.Distinct()));
    }

    [Fact]
    public void Catalog_entries_have_unique_codes_and_templates_and_korean_with_the_same_placeholders()
    {
        var problems = new List<string>();
        var catalog = ServerMessages.Catalog;
        problems.AddRange(catalog.GroupBy(m => m.Code).Where(g => g.Count() > 1).Select(g => $"code used twice: {g.Key}"));
        problems.AddRange(catalog.GroupBy(m => m.En).Where(g => g.Count() > 1).Select(g => $"template listed twice: {g.Key}"));
        foreach (var message in catalog)
        {
            if (!CodeShape().IsMatch(message.Code))
            {
                problems.Add($"{message.Code}: codes are lowercase words with dots and underscores");
            }
            if (string.IsNullOrWhiteSpace(message.Ko) || !message.Ko.Any(c => c is >= '\uAC00' and <= '\uD7A3'))
            {
                problems.Add($"{message.Code}: no Korean text");
            }
            var en = Placeholders(message.En);
            var ko = Placeholders(message.Ko);
            if (!en.SetEquals(ko))
            {
                problems.Add($"{message.Code}: placeholders {string.Join(",", en.Order())} in English but {string.Join(",", ko.Order())} in Korean");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Messages_are_translated_with_their_values_and_nested_messages_and_unknown_text_stays()
    {
        var korean = CultureInfo.GetCultureInfo("ko-KR");
        Assert.Equal("프로젝트를 찾을 수 없습니다.", ServerMessages.Localize("Project was not found.", korean));
        Assert.Equal("Project was not found.", ServerMessages.Localize("Project was not found.", CultureInfo.GetCultureInfo("en-US")));
        Assert.Equal("not_found.project", ServerMessages.CodeOf("Project was not found."));
        // A template with a value: the value is carried over as written.
        var generic = ServerMessages.Localize("Widget 7 was not found.", korean);
        Assert.Equal("Widget 7을(를) 찾을 수 없습니다.", generic);
        Assert.Equal("Something nobody wrote a template for.", ServerMessages.Localize("Something nobody wrote a template for.", korean));
        Assert.Null(ServerMessages.CodeOf("Something nobody wrote a template for."));
        // The exception says it in the reader's language and keeps the English for logs.
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = korean;
            var error = new NotFoundException("Item");
            Assert.Equal("항목을 찾을 수 없습니다.", error.Message);
            Assert.Equal("Item was not found.", error.EnglishMessage);
            Assert.Equal("not_found.item", error.Code);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>User-facing sentences in the sources: string literals that read as a sentence, outside comments, logs and developer exceptions.</summary>
    private static IEnumerable<(string File, string Sentence)> UserSentences()
    {
        var root = RepositoryPaths.Root();
        foreach (var folder in SourceFolders)
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, path);
                if (relative.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    || relative.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    || relative.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                {
                    continue;
                }
                var source = File.ReadAllText(path);
                foreach (var (start, template) in StringLiterals(source))
                {
                    if (!Sentence().IsMatch(template) || ForDevelopers(source, start))
                    {
                        continue;
                    }
                    yield return (relative, template);
                }
            }
        }
    }

    /// <summary>Whether the literal at <paramref name="start"/> goes to a log or a developer exception (the statement it is in says so).</summary>
    private static bool ForDevelopers(string source, int start)
    {
        var statementStart = Math.Max(source.LastIndexOf(';', start - 1), source.LastIndexOf('{', start - 1));
        statementStart = Math.Max(statementStart, source.LastIndexOf('}', start - 1));
        var statement = source[(statementStart + 1)..start];
        return LogCall().IsMatch(statement)
            || DeveloperExceptions.Any(e => statement.Contains($"new {e}(", StringComparison.Ordinal) || statement.Contains($"{e}.Throw", StringComparison.Ordinal))
            || statement.Contains("[Description(", StringComparison.Ordinal)
            || ApiDocumentationCalls.Any(call => statement.Contains(call, StringComparison.Ordinal));
    }

    /// <summary>
    /// The string literals of a C# file outside comments, with interpolation holes as {0}, {1}… (formats kept), and
    /// where each starts. Raw string literals ("""…""") are skipped: they hold data and SQL, not messages.
    /// </summary>
    private static IEnumerable<(int Start, string Template)> StringLiterals(string source)
    {
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                i = source.IndexOf('\n', i) is var end and >= 0 ? end : source.Length;
                continue;
            }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : source.Length;
                continue;
            }
            if (c == '\'')
            {
                // A character literal: skip it, so '"' does not open a string.
                i = source[i + 1] == '\\' ? source.IndexOf('\'', i + 3) + 1 : i + 3;
                continue;
            }
            var prefixStart = i;
            var interpolated = false;
            var verbatim = false;
            while (i < source.Length && (source[i] == '$' || source[i] == '@'))
            {
                interpolated |= source[i] == '$';
                verbatim |= source[i] == '@';
                i++;
            }
            if (i >= source.Length || source[i] != '"')
            {
                i = prefixStart + 1;
                continue;
            }
            if (i + 2 < source.Length && source[i + 1] == '"' && source[i + 2] == '"')
            {
                // Raw literal: skip to the matching run of quotes.
                var quotes = 0;
                while (i < source.Length && source[i] == '"')
                {
                    quotes++;
                    i++;
                }
                var close = source.IndexOf(new string('"', quotes), i, StringComparison.Ordinal);
                i = close < 0 ? source.Length : close + quotes;
                continue;
            }
            i++;
            var text = new StringBuilder();
            var hole = 0;
            while (i < source.Length)
            {
                var ch = source[i];
                if (ch == '"' && verbatim && i + 1 < source.Length && source[i + 1] == '"')
                {
                    text.Append('"');
                    i += 2;
                    continue;
                }
                if (ch == '"')
                {
                    i++;
                    break;
                }
                if (ch == '\\' && !verbatim)
                {
                    text.Append(source[i + 1] switch { 'n' => '\n', 't' => '\t', var other => other });
                    i += 2;
                    continue;
                }
                if (interpolated && ch == '{')
                {
                    if (source[i + 1] == '{')
                    {
                        text.Append('{');
                        i += 2;
                        continue;
                    }
                    // A hole: its expression may hold strings and braces; its format follows the last top-level colon.
                    var depth = 1;
                    var j = i + 1;
                    var format = -1;
                    var parens = 0;
                    while (j < source.Length && depth > 0)
                    {
                        var h = source[j];
                        if (h == '"')
                        {
                            j = source.IndexOf('"', j + 1) + 1;
                            continue;
                        }
                        if (h is '(' or '[')
                        {
                            parens++;
                        }
                        else if (h is ')' or ']')
                        {
                            parens--;
                        }
                        else if (h == '{')
                        {
                            depth++;
                        }
                        else if (h == '}')
                        {
                            depth--;
                        }
                        else if (h == ':' && depth == 1 && parens == 0 && format < 0 && source[j - 1] != '?' && !IsTernary(source, i + 1, j))
                        {
                            format = j;
                        }
                        j++;
                    }
                    text.Append('{').Append(hole++.ToString(CultureInfo.InvariantCulture));
                    if (format >= 0)
                    {
                        text.Append(source, format, j - 1 - format);
                    }
                    text.Append('}');
                    i = j;
                    continue;
                }
                if (interpolated && ch == '}' && i + 1 < source.Length && source[i + 1] == '}')
                {
                    text.Append('}');
                    i += 2;
                    continue;
                }
                text.Append(ch);
                i++;
            }
            yield return (prefixStart, text.ToString());
        }
    }

    /// <summary>Whether a colon in a hole belongs to a conditional expression (a ? b : c) rather than starting a format.</summary>
    private static bool IsTernary(string source, int holeStart, int colon) => source[holeStart..colon].Contains(" ? ", StringComparison.Ordinal);

    /// <summary>Placeholders renumbered in order of appearance, formats kept: the code's and the catalog's spelling compare equal.</summary>
    private static string Normalize(string template)
    {
        var next = 0;
        var numbers = new Dictionary<string, int>();
        return PlaceholderPattern().Replace(template, m =>
        {
            var index = m.Groups[1].Value;
            if (!numbers.TryGetValue(index, out var number))
            {
                numbers[index] = number = next++;
            }
            return "{" + number.ToString(CultureInfo.InvariantCulture) + m.Groups[2].Value + "}";
        });
    }

    private static HashSet<string> Placeholders(string template) => PlaceholderPattern().Matches(template).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"\{(\d+)((?::[^{}]*)?)\}")]
    private static partial Regex PlaceholderPattern();

    // A sentence: a capital letter first, at least three words, a full stop, question or exclamation mark at the end.
    [GeneratedRegex(@"^[A-Z][^\n]*\s\S+\s\S[^\n]*[.?!]$")]
    private static partial Regex Sentence();

    [GeneratedRegex(@"\b(Log(Trace|Debug|Information|Warning|Error|Critical)|logger\.Log|Log\.\w+)\s*\(")]
    private static partial Regex LogCall();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
    private static partial Regex CodeShape();
}
