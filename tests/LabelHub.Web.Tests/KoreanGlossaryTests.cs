using System.Xml.Linq;

namespace LabelHub.Web.Tests;

/// <summary>The Korean UI speaks with one word per concept (docs/glossary.ko.md) and one spelling of each two-form particle.</summary>
public sealed class KoreanGlossaryTests
{
    // Words the glossary rules out, with the word to use instead.
    private static readonly (string Avoid, string Use)[] RuledOut =
    [
        ("레이블", "라벨"), ("아이템", "항목"), ("어노테이터", "작업자"), ("라벨러", "작업자"), ("주석자", "작업자"),
        ("리뷰어", "검수자"), ("거절", "반려"), ("검증 항목", "골드 항목"), ("스팬", "구간"), ("박스", "상자"),
    ];

    // Two-form particles in the other order.
    private static readonly string[] BackwardParticles = ["를(을)", "가(이)", "는(은)", "와(과)"];

    [Fact]
    public void Korean_resources_use_the_glossarys_words_and_particle_order()
    {
        var resources = Path.Combine(RepositoryPaths.Root(), "src", "LabelHub.Web", "Resources");
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(resources, "*.ko.resx", SearchOption.AllDirectories))
        {
            foreach (var data in XDocument.Load(file).Root!.Elements("data"))
            {
                var value = data.Element("value")?.Value ?? "";
                var where = $"{Path.GetRelativePath(resources, file)} \"{data.Attribute("name")!.Value}\"";
                // Words that contain a ruled-out one and are fine: a check box, and the term of art kept once beside 경계 상자.
                var checkedText = value.Replace("체크박스", "", StringComparison.Ordinal).Replace("(바운딩 박스)", "", StringComparison.Ordinal);
                problems.AddRange(RuledOut.Where(w => checkedText.Contains(w.Avoid, StringComparison.Ordinal)).Select(w => $"{where}: {w.Avoid} → {w.Use}"));
                problems.AddRange(BackwardParticles.Where(p => value.Contains(p, StringComparison.Ordinal)).Select(p => $"{where}: {p}"));
            }
        }
        // The server's messages (src/LabelHub.Domain/Resources/ServerMessages) speak the same words.
        foreach (var message in LabelHub.Domain.ServerMessages.Catalog)
        {
            var where = $"server message {message.Code}";
            var checkedText = message.Ko.Replace("체크박스", "", StringComparison.Ordinal).Replace("(바운딩 박스)", "", StringComparison.Ordinal);
            problems.AddRange(RuledOut.Where(w => checkedText.Contains(w.Avoid, StringComparison.Ordinal)).Select(w => $"{where}: {w.Avoid} → {w.Use}"));
            problems.AddRange(BackwardParticles.Where(p => message.Ko.Contains(p, StringComparison.Ordinal)).Select(p => $"{where}: {p}"));
        }
        Assert.True(problems.Count == 0, "Against docs/glossary.ko.md:\n" + string.Join("\n", problems));
    }
}
