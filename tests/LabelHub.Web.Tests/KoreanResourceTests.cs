using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LabelHub.Web.Tests;

/// <summary>
/// Every text a component shows through its localizer has a Korean translation: a key missing from the component's
/// .ko.resx would show in English to Korean users, and nothing else would notice.
/// </summary>
public sealed partial class KoreanResourceTests
{
    [GeneratedRegex(@"\bL\[""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LocalizedText();

    [Fact]
    public void Every_localized_text_of_every_component_has_a_korean_translation()
    {
        var root = RepositoryPaths.Root();
        var components = Path.Combine(root, "src", "LabelHub.Web", "Components");
        var missing = new List<string>();
        var checkedTexts = 0;
        foreach (var razor in Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories))
        {
            var source = File.ReadAllText(razor);
            var keys = LocalizedText().Matches(source).Select(m => m.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal)).Distinct().ToList();
            if (keys.Count == 0)
            {
                continue;
            }
            var relative = Path.GetRelativePath(components, razor);
            var resx = Path.Combine(root, "src", "LabelHub.Web", "Resources", "Components", Path.ChangeExtension(relative, ".ko.resx"));
            var translated = File.Exists(resx)
                ? XDocument.Load(resx).Root!.Elements("data").Where(d => !string.IsNullOrWhiteSpace(d.Element("value")?.Value)).Select(d => d.Attribute("name")!.Value).ToHashSet()
                : [];
            missing.AddRange(keys.Where(key => !translated.Contains(key)).Select(key => $"{relative}: {key}"));
            checkedTexts += keys.Count;
        }
        Assert.True(missing.Count == 0, "No Korean translation:\n" + string.Join("\n", missing));
        Assert.True(checkedTexts > 300, $"Only {checkedTexts} localized texts found: the search is broken.");
    }
}
