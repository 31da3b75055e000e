using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Majority vote: crowd-kit's toy results, the stated tie rule, and ids mapped to a stable order.</summary>
public sealed class MajorityVoteTests
{
    [Fact]
    public void Crowd_kit_toy_labels_and_worker_skills()
    {
        var result = MajorityVote.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories);

        var expected = CrowdKitToy.Expected("majority_vote");
        foreach (var task in expected.GetProperty("labels").EnumerateObject())
        {
            // "no (2-2 tie, crowd-kit resolves to 'no')": the label is the first word.
            var label = task.Value.GetString()!.Split(' ')[0];
            Assert.Equal(label, result.Items.Single(i => i.Item == CrowdKitToy.Task(task.Name)).Label);
        }
        foreach (var worker in expected.GetProperty("worker_skills").EnumerateObject())
        {
            var skill = result.Annotators.Single(a => a.Annotator == CrowdKitToy.Worker(worker.Name)).Skill;
            Assert.Equal(worker.Value.GetDouble(), skill.Value!.Value, 12);
        }
        Assert.Equal([1L, 2, 3, 4, 5], result.Items.Select(i => i.Item));
    }

    [Fact]
    public void The_toy_tie_is_flagged_and_the_others_carry_their_winning_share()
    {
        var result = MajorityVote.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories);

        var t1 = result.Items[0];
        Assert.Equal(("no", 0.5, true), (t1.Label, t1.Confidence, t1.Tie));
        Assert.Equal(("yes", 0.6, false), (result.Items[1].Label, result.Items[1].Confidence, result.Items[1].Tie));
        Assert.Equal(("no", 0.6, false), (result.Items[2].Label, result.Items[2].Confidence, result.Items[2].Tie));
        Assert.Equal(("yes", 1.0, false), (result.Items[3].Label, result.Items[3].Confidence, result.Items[3].Tie));
        Assert.Equal(("no", 0.8, false), (result.Items[4].Label, result.Items[4].Confidence, result.Items[4].Tie));
    }

    [Fact]
    public void A_tie_goes_to_the_category_first_in_the_schema()
    {
        var result = MajorityVote.Aggregate(CrowdKitToy.Answers(), ["yes", "no"]);

        Assert.Equal(("yes", true), (result.Items[0].Label, result.Items[0].Tie));
        Assert.Equal("no", result.Items[2].Label);
    }

    [Fact]
    public void A_three_way_tie_takes_the_first_of_the_tied_categories_not_the_first_category()
    {
        var answers = new List<(Guid, long, string)>
        {
            (Annotator(1), 7, "c"), (Annotator(2), 7, "b"), (Annotator(3), 7, "d"),
        };

        var item = MajorityVote.Aggregate(answers, ["a", "b", "c", "d"]).Items.Single();

        Assert.Equal(("b", 1.0 / 3, true), (item.Label, item.Confidence, item.Tie));
    }

    [Fact]
    public void A_category_the_schema_no_longer_lists_is_kept_after_the_listed_ones()
    {
        var answers = new List<(Guid, long, string)>
        {
            (Annotator(1), 1, "zebra"), (Annotator(2), 1, "zebra"), (Annotator(3), 1, "cat"),
            (Annotator(1), 2, "ant"), (Annotator(2), 2, "dog"),
        };

        var mapped = CategoricalAnswers.From(answers, ["dog", "cat"]);
        var result = MajorityVote.Aggregate(mapped);

        Assert.Equal(["dog", "cat", "ant", "zebra"], mapped.Categories);
        Assert.Equal(("zebra", false), (result.Items[0].Label, result.Items[0].Tie));
        // dog and ant tie; dog is listed, ant is not, so dog comes first.
        Assert.Equal(("dog", true), (result.Items[1].Label, result.Items[1].Tie));
    }

    [Fact]
    public void The_order_answers_arrive_in_changes_nothing()
    {
        var answers = CrowdKitToy.Answers();
        var shuffled = answers.OrderBy(_ => Random.Shared.Next()).ToList();

        var first = MajorityVote.Aggregate(answers, CrowdKitToy.Categories);
        var second = MajorityVote.Aggregate(shuffled, CrowdKitToy.Categories);

        Assert.Equal(first.Items, second.Items);
        Assert.Equal(first.Annotators, second.Annotators);
        Assert.Equal(["w1", "w2", "w3", "w4", "w5"], second.Annotators.Select(a => CrowdKitToy.WorkerName(a.Annotator)));
    }

    [Fact]
    public void Two_answers_of_one_annotator_to_one_item_are_refused()
    {
        var answers = new List<(Guid, long, string)> { (Annotator(1), 1, "a"), (Annotator(2), 1, "a"), (Annotator(1), 1, "b") };

        var error = Assert.Throws<ArgumentException>(() => MajorityVote.Aggregate(answers, ["a", "b"]));
        Assert.Contains("more than once", error.Message);
    }

    [Fact]
    public void No_answers_give_no_items()
    {
        var result = MajorityVote.Aggregate([], ["a", "b"]);

        Assert.Empty(result.Items);
        Assert.Empty(result.Annotators);
    }

    internal static Guid Annotator(int number) => new($"00000000-0000-0000-0000-{number:D12}");
}
