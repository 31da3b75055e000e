using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Labeling;

public sealed class ItemConsensusTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["pos", "neg", "neu"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"] },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "bus"] },
        ],
    };

    private static ConsensusAnswer Answer(long id, string json) => new(id, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!);

    private static FieldConsensus Field(ItemConsensus consensus, string name) => consensus.Fields.Single(f => f.Field == name);

    [Fact]
    public void The_majority_value_is_proposed_and_the_answers_that_differ_are_named()
    {
        var consensus = ItemConsensus.Of(Schema,
        [
            Answer(3, """{"sentiment":"neg","tags":["b","a"]}"""),
            Answer(1, """{"sentiment":"pos","tags":["a","b"]}"""),
            Answer(2, """{"sentiment":"pos","tags":["a","b"]}"""),
        ]);

        var sentiment = Field(consensus, "sentiment");
        Assert.Equal(FieldAgreementState.Majority, sentiment.State);
        Assert.Equal("pos", sentiment.Value!.Value.GetString());
        Assert.Equal(2, sentiment.Support);
        Assert.Equal([3L], sentiment.Differing);
        // Multiple choices in another order are the same answer.
        Assert.Equal(FieldAgreementState.Unanimous, Field(consensus, "tags").State);
        // Nobody marked spans or boxes: agreeing on "none" is agreement, and the proposal leaves them out.
        Assert.Equal(FieldAgreementState.Unanimous, Field(consensus, "entities").State);
        Assert.Null(Field(consensus, "entities").Value);
        Assert.Equal(["sentiment", "tags"], consensus.Proposal.Keys.Order());
        Assert.True(consensus.HasDisagreement);
        Assert.False(consensus.Unanimous);
        Assert.Equal([3L], consensus.DifferingAnswers());
    }

    [Fact]
    public void Without_a_majority_the_spans_closest_to_all_others_are_proposed()
    {
        // Answer 2 shares one span with 1 and one with 3: it is the closest to both, though no two answers are equal.
        var consensus = ItemConsensus.Of(Schema,
        [
            Answer(1, """{"entities":[{"start":0,"end":3,"label":"PER"}]}"""),
            Answer(2, """{"entities":[{"start":0,"end":3,"label":"PER"},{"start":10,"end":15,"label":"ORG"}]}"""),
            Answer(3, """{"entities":[{"start":10,"end":15,"label":"ORG"},{"start":20,"end":22,"label":"ORG"}]}"""),
        ]);

        var entities = Field(consensus, "entities");
        Assert.Equal(FieldAgreementState.NoMajority, entities.State);
        Assert.Equal(2, entities.Value!.Value.GetArrayLength());
        Assert.Equal([1L, 3L], entities.Differing);
    }

    [Fact]
    public void An_empty_field_against_a_value_is_a_disagreement_and_two_equal_answers_are_unanimous()
    {
        var split = ItemConsensus.Of(Schema,
        [
            Answer(1, """{"sentiment":"pos"}"""),
            Answer(2, """{"sentiment":"pos","objects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"car"}]}"""),
        ]);
        var objects = Field(split, "objects");
        Assert.Equal(FieldAgreementState.NoMajority, objects.State);
        // One each way: the earlier answer's (empty) value is proposed.
        Assert.Null(objects.Value);
        Assert.Equal([2L], objects.Differing);

        var same = ItemConsensus.Of(Schema,
        [
            Answer(1, """{"sentiment":"pos","objects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"car"},{"x":0.5,"y":0.5,"width":0.1,"height":0.1,"label":"bus"}]}"""),
            Answer(2, """{"sentiment":"pos","objects":[{"x":0.5,"y":0.5,"width":0.1,"height":0.1,"label":"bus"},{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"car"}]}"""),
        ]);
        Assert.True(same.Unanimous);
        Assert.False(ItemConsensus.Of(Schema, [Answer(1, """{"sentiment":"pos"}""")]).Unanimous);
        Assert.True(ItemConsensus.SameAnswer(Schema, same.Proposal, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            """{"sentiment":"pos","objects":[{"x":0.5,"y":0.5,"width":0.1,"height":0.1,"label":"bus"},{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"car"}]}""")!));
    }
}
