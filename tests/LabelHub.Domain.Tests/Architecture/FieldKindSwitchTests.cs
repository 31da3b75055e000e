using System.Text.RegularExpressions;
using LabelHub.Domain.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LabelHub.Domain.Tests.Architecture;

/// <summary>
/// A new field kind must not compile until every place that does something per kind handles it. The compiler checks
/// switch expressions that list every member (CS8509, an error here); these tests keep the ways around it out of the
/// sources: a default arm, or a switch statement (which the compiler never checks for completeness).
/// </summary>
public sealed partial class FieldKindSwitchTests
{
    private static readonly string KindName = nameof(FieldKind);

    [Fact]
    public void Switch_expressions_over_field_kinds_name_every_kind_and_have_no_default_arm()
    {
        var offenders = new List<string>();
        var checkedSwitches = 0;
        foreach (var (path, root) in SourceTree.CSharpFiles())
        {
            foreach (var expression in root.DescendantNodes().OfType<SwitchExpressionSyntax>())
            {
                if (!expression.Arms.Any(arm => NamesAKind(arm.Pattern)))
                {
                    continue;
                }
                checkedSwitches++;
                if (expression.Arms.Any(arm => arm.Pattern is DiscardPatternSyntax or VarPatternSyntax || arm.Pattern is DeclarationPatternSyntax))
                {
                    offenders.Add($"{path}:{Line(expression)}");
                }
            }
        }
        // Razor components switch in their @code blocks: the same rule, read from the markup file.
        foreach (var path in SourceTree.Files("*.razor"))
        {
            var source = File.ReadAllText(path);
            foreach (var block in SwitchBlocks(source).Where(block => block.Contains($"{KindName}.", StringComparison.Ordinal)))
            {
                checkedSwitches++;
                if (DefaultArm().IsMatch(block))
                {
                    offenders.Add(Path.GetRelativePath(SourceTree.RepositoryRoot, path));
                }
            }
        }
        Assert.True(offenders.Count == 0, "Switches over FieldKind with a default arm:\n" + string.Join("\n", offenders));
        // The answer codec, the kinds' traits, quality and the editors switch over kinds: a search that finds none is broken.
        Assert.True(checkedSwitches >= 10, $"Only {checkedSwitches} switches over FieldKind found.");
    }

    [Fact]
    public void No_switch_statement_dispatches_on_a_field_kind()
    {
        var offenders = SourceTree.CSharpFiles()
            .SelectMany(file => file.Root.DescendantNodes().OfType<SwitchStatementSyntax>()
                .Where(statement => statement.Sections.SelectMany(s => s.Labels).Any(label => label switch
                {
                    CaseSwitchLabelSyntax @case => NamesAKind(@case.Value),
                    CasePatternSwitchLabelSyntax pattern => NamesAKind(pattern.Pattern),
                    _ => false,
                }))
                .Select(statement => $"{file.Path}:{Line(statement)}"))
            .ToList();
        // Razor markup's @switch is a statement too.
        offenders.AddRange(SourceTree.Files("*.razor")
            .Where(path => File.ReadAllText(path).Contains($"case {KindName}.", StringComparison.Ordinal)));
        Assert.True(offenders.Count == 0, "Switch statements over FieldKind (use a switch expression that names every kind):\n" + string.Join("\n", offenders));
    }

    [GeneratedRegex(@"^\s*_\s*=>", RegexOptions.Multiline)]
    private static partial Regex DefaultArm();

    /// <summary>The body of every "switch {" … "}" in a Razor file, braces matched.</summary>
    private static IEnumerable<string> SwitchBlocks(string source)
    {
        for (var at = source.IndexOf("switch", StringComparison.Ordinal); at >= 0; at = source.IndexOf("switch", at + 1, StringComparison.Ordinal))
        {
            var open = source.IndexOf('{', at);
            if (open < 0 || source[(at + "switch".Length)..open].Trim().Length > 0)
            {
                continue;
            }
            var depth = 0;
            for (var i = open; i < source.Length; i++)
            {
                depth += source[i] switch { '{' => 1, '}' => -1, _ => 0 };
                if (depth == 0)
                {
                    yield return source[open..(i + 1)];
                    break;
                }
            }
        }
    }

    private static bool NamesAKind(SyntaxNode node) =>
        node.DescendantNodesAndSelf().OfType<MemberAccessExpressionSyntax>()
            .Any(access => access.Expression is IdentifierNameSyntax { Identifier.Text: var name } && name == KindName);

    private static int Line(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}

/// <summary>The repository's production sources, found from the test binaries' folder upwards.</summary>
internal static class SourceTree
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LabelHub.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"LabelHub.sln was not found above {AppContext.BaseDirectory}.");
    });

    public static string RepositoryRoot => Root.Value;

    /// <summary>Files under src/ (generated migrations and build output left out).</summary>
    public static IEnumerable<string> Files(string pattern) =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), pattern, SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static IEnumerable<(string Path, SyntaxNode Root)> CSharpFiles() =>
        Files("*.cs").Select(path => (Path.GetRelativePath(RepositoryRoot, path), CSharpSyntaxTree.ParseText(File.ReadAllText(path)).GetRoot()));
}
