using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class FinalAnswersTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] },
            new LabelField { Name = "note", Kind = FieldKind.Text },
        ],
    };

    private static Dictionary<string, JsonElement> Answer(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void More_than_half_of_the_answers_to_a_field_make_its_final_answer()
    {
        var final = FinalAnswers.Of(Schema,
            [Answer("""{"sentiment":"positive","topics":["price","service"]}"""),
             Answer("""{"sentiment":"positive","topics":["service","price"],"note":"ok"}"""),
             Answer("""{"sentiment":"negative","topics":["price"]}""")],
            goldAnswer: null);

        Assert.Equal("positive", final["sentiment"].GetString());
        // The same labels in another order are the same answer.
        Assert.Equal(2, final["topics"].GetArrayLength());
        // One answer to the note, and it agrees with itself.
        Assert.Equal("ok", final["note"].GetString());
    }

    [Fact]
    public void A_tie_or_no_answer_leaves_the_field_without_a_final_answer()
    {
        var final = FinalAnswers.Of(Schema,
            [Answer("""{"sentiment":"positive"}"""), Answer("""{"sentiment":"negative"}""")], goldAnswer: null);

        Assert.Empty(final);
    }

    [Fact]
    public void A_gold_answer_wins_over_the_annotators()
    {
        var final = FinalAnswers.Of(Schema,
            [Answer("""{"sentiment":"positive"}"""), Answer("""{"sentiment":"positive"}""")], Answer("""{"sentiment":"negative"}"""));

        Assert.Equal("negative", final["sentiment"].GetString());
    }
}
