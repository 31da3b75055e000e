using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>
/// Dawid–Skene: crowd-kit's published toy results, gold seeding, recovery on synthetic crowds, and the degenerate
/// cases (never NaN, never log 0).
/// </summary>
public sealed class DawidSkeneTests
{
    /// <summary>crowd-kit's own tolerance for these fixtures (test_dawid_skene_step_by_step, atol=0.005).</summary>
    private const double CrowdKitTolerance = 0.005;

    [Fact]
    public void Crowd_kit_toy_after_one_round_matches_the_published_posteriors_priors_and_labels()
    {
        var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories, options: new DawidSkeneOptions(MaxIterations: 1));

        var expected = CrowdKitToy.Expected("dawid_skene_iteration_1");
        foreach (var task in expected.GetProperty("p_no_yes").EnumerateObject())
        {
            var item = (int)CrowdKitToy.Task(task.Name) - 1;
            var probabilities = task.Value.EnumerateArray().Select(p => p.GetDouble()).ToArray();
            Assert.Equal(probabilities[0], result.Posterior(item, 0), CrowdKitTolerance);
            Assert.Equal(probabilities[1], result.Posterior(item, 1), CrowdKitTolerance);
        }
        Assert.Equal(expected.GetProperty("priors").GetProperty("no").GetDouble(), result.Priors[0], CrowdKitTolerance);
        Assert.Equal(expected.GetProperty("priors").GetProperty("yes").GetDouble(), result.Priors[1], CrowdKitTolerance);
        foreach (var task in expected.GetProperty("labels").EnumerateObject())
        {
            Assert.Equal(task.Value.GetString(), result.Items[(int)CrowdKitToy.Task(task.Name) - 1].Label);
        }
        Assert.Equal((1, false), (result.Iterations, result.Converged));
    }

    /// <summary>
    /// The annotators' matrices of crowd-kit's test_dawid_skene_step_by_step (fixtures errors_iter_0 and
    /// errors_iter_1), which the shared vectors leave out. crowd-kit lays them out [worker, observed][true];
    /// here each row is one worker's (P(no | no), P(yes | no), P(no | yes), P(yes | yes)).
    /// </summary>
    [Theory]
    [InlineData(0, new[] { 0.22, 0.78, 0.19, 0.81, 0.61, 0.39, 0.22, 0.78, 0.78, 0.22, 0.27, 0.73, 0.52, 0.48, 0.30, 0.70, 1.00, 0.00, 0.63, 0.37 })]
    [InlineData(1, new[] { 0.14, 0.86, 0.25, 0.75, 0.75, 0.25, 0.07, 0.93, 0.87, 0.13, 0.09, 0.91, 0.50, 0.50, 0.31, 0.69, 1.00, 0.00, 0.61, 0.39 })]
    public void Crowd_kit_toy_worker_matrices_match_the_step_by_step_fixtures(int rounds, double[] expected)
    {
        var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories, options: new DawidSkeneOptions(MaxIterations: rounds));

        var actual = result.Annotators.SelectMany(a => new[] { a.Matrix[0, 0], a.Matrix[0, 1], a.Matrix[1, 0], a.Matrix[1, 1] }).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var n = 0; n < expected.Length; n++)
        {
            Assert.Equal(expected[n], actual[n], CrowdKitTolerance);
        }
    }

    [Fact]
    public void Zero_rounds_return_the_majority_vote_shares_crowd_kit_starts_from()
    {
        var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories, options: new DawidSkeneOptions(MaxIterations: 0));

        Assert.Equal([0.5, 0.4, 0.6, 0.0, 0.8], Enumerable.Range(0, 5).Select(i => Math.Round(result.Posterior(i, 0), 12)));
        Assert.Equal(0.46, result.Priors[0], 12);
        Assert.Equal((0, false), (result.Iterations, result.Converged));
    }

    [Fact]
    public void Crowd_kit_toy_converges_to_the_published_labels()
    {
        var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories);

        foreach (var task in CrowdKitToy.Expected("dawid_skene_converged_labels").EnumerateObject())
        {
            Assert.Equal(task.Value.GetString(), result.Items[(int)CrowdKitToy.Task(task.Name) - 1].Label);
        }
        Assert.True(result.Converged);
        // Recomputed by restating crowd-kit's fit (tol 1e-5) step by step: the bound stops rising in round 6.
        Assert.Equal(6, result.Iterations);
        Assert.Equal(-0.976224496514, result.LowerBounds[^1], 9);
        Assert.Equal(0.6, result.Priors[1], 6);
        Assert.All(result.LowerBounds.Zip(result.LowerBounds.Skip(1)), pair => Assert.True(pair.Second >= pair.First - 1e-12));
    }

    [Fact]
    public void Gold_answers_fix_their_items_and_give_crowd_kits_toy_ground_truth()
    {
        var gold = new Dictionary<long, string> { [1] = "yes", [2] = "yes" };
        foreach (var rounds in new[] { 0, 1, 2, 100 })
        {
            var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories, gold, new DawidSkeneOptions(MaxIterations: rounds));

            Assert.Equal((1.0, 0.0), (result.Posterior(0, 1), result.Posterior(0, 0)));
            Assert.Equal((1.0, 0.0), (result.Posterior(1, 1), result.Posterior(1, 0)));
            if (rounds == 100)
            {
                // crowd-kit test_aggregate_ds_gold_on_toy_ysda: the toy ground truth.
                Assert.Equal(["yes", "yes", "no", "yes", "no"], result.Items.Select(i => i.Label));
            }
        }
    }

    [Fact]
    public void With_one_good_and_two_noisy_annotators_it_finds_more_true_labels_than_majority_vote()
    {
        var crowd = SyntheticCrowd.Generate(seed: 17, items: 3000, categories: 3, accuracies: [0.9, 0.45, 0.45]);

        var majority = MajorityVote.Aggregate(crowd.Answers, crowd.Categories);
        var dawidSkene = DawidSkene.Aggregate(crowd.Answers, crowd.Categories);

        var majorityAccuracy = crowd.Accuracy(majority.Items);
        var dawidSkeneAccuracy = crowd.Accuracy(dawidSkene.Items);
        Assert.True(dawidSkeneAccuracy >= 0.85, $"Dawid–Skene found {dawidSkeneAccuracy:P1} of the true labels.");
        Assert.True(dawidSkeneAccuracy > majorityAccuracy + 0.05, $"Dawid–Skene {dawidSkeneAccuracy:P1}, majority vote {majorityAccuracy:P1}.");
        // It tells the good annotator from the noisy ones (three annotators pin the matrices down only loosely).
        var quality = dawidSkene.Annotators.Select(a => a.MeanDiagonal).ToArray();
        Assert.True(quality[0] > 0.75 && quality[1] < 0.55 && quality[2] < 0.55, string.Join(", ", quality));
    }

    [Fact]
    public void Gold_items_teach_it_that_two_agreeing_annotators_are_the_wrong_ones()
    {
        // Two annotators who mostly give the wrong answer agree with each other and outvote the good one;
        // without gold, Dawid–Skene follows them and rates the good annotator as mostly wrong.
        var crowd = SyntheticCrowd.Generate(seed: 5, items: 1000, categories: 2, accuracies: [0.9, 0.2, 0.2]);
        var gold = crowd.Truth.Where((_, i) => i % 4 == 0).ToDictionary(t => t.Key, t => t.Value);

        var without = DawidSkene.Aggregate(crowd.Answers, crowd.Categories);
        var with = DawidSkene.Aggregate(crowd.Answers, crowd.Categories, gold);

        Assert.True(without.Annotators[0].MeanDiagonal < 0.3, $"Without gold the good annotator scores {without.Annotators[0].MeanDiagonal:F2}.");
        Assert.True(with.Annotators[0].MeanDiagonal > 0.85, $"With gold the good annotator scores {with.Annotators[0].MeanDiagonal:F2}.");
        Assert.True(with.Annotators[1].MeanDiagonal < 0.3, $"With gold a misleading annotator scores {with.Annotators[1].MeanDiagonal:F2}.");
        Assert.True(crowd.Accuracy(without.Items) < 0.3);
        // Knowing how the two err, their answers become evidence for the opposite label.
        Assert.True(crowd.Accuracy(with.Items) > 0.9, $"With gold {crowd.Accuracy(with.Items):P1}.");
    }

    [Fact]
    public void The_order_answers_arrive_in_changes_no_bit_of_the_result()
    {
        var crowd = SyntheticCrowd.Generate(seed: 3, items: 500, categories: 4, accuracies: [0.8, 0.6, 0.5, 0.7]);
        var shuffled = crowd.Answers.OrderBy(_ => Random.Shared.Next()).ToList();

        var first = DawidSkene.Aggregate(crowd.Answers, crowd.Categories);
        var second = DawidSkene.Aggregate(shuffled, crowd.Categories);

        Assert.Equal(first.Items, second.Items);
        Assert.Equal(first.LowerBounds, second.LowerBounds);
        Assert.Equal(first.Priors, second.Priors);
        for (var i = 0; i < first.Items.Count; i++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(first.Posterior(i, c), second.Posterior(i, c));
            }
        }
    }

    [Fact]
    public void An_annotator_who_only_ever_gives_one_answer_and_a_category_nobody_uses_stay_finite()
    {
        var answers = new List<(Guid, long, string)>();
        for (var item = 1; item <= 20; item++)
        {
            var truth = item % 2 == 0 ? "a" : "b";
            answers.Add((MajorityVoteTests.Annotator(1), item, truth));
            answers.Add((MajorityVoteTests.Annotator(2), item, truth));
            answers.Add((MajorityVoteTests.Annotator(3), item, "a"));
        }

        var result = DawidSkene.Aggregate(answers, ["a", "b", "never"]);

        Assert.All(Enumerable.Range(0, 20), i => Assert.All(Enumerable.Range(0, 3), c => Assert.True(double.IsFinite(result.Posterior(i, c)))));
        Assert.All(result.Annotators, a => Assert.All(a.Matrix.Cast<double>(), p => Assert.True(double.IsFinite(p))));
        Assert.All(result.LowerBounds, bound => Assert.True(double.IsFinite(bound)));
        Assert.Equal(Enumerable.Range(1, 20).Select(item => item % 2 == 0 ? "a" : "b"), result.Items.Select(i => i.Label));
        // The one-answer annotator: whatever the truth, they say "a".
        var lazy = result.Annotators[2].Matrix;
        Assert.Equal((1.0, 1.0), (lazy[0, 0], lazy[1, 0]));
        Assert.True(result.Priors[2] < 1e-9);
        // The unused category's row is flat over the categories the annotator used, not 0 / 0.
        Assert.Equal(1.0, lazy[2, 0]);
        var careful = result.Annotators[0].Matrix;
        Assert.Equal(0.5, careful[2, 0], 6);
        Assert.Equal(0.5, careful[2, 1], 6);
        Assert.Equal(0.0, careful[2, 2]);
    }

    [Fact]
    public void A_pseudo_count_leaves_no_cell_at_zero()
    {
        var result = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories, options: new DawidSkeneOptions(PseudoCount: 1));

        foreach (var annotator in result.Annotators)
        {
            Assert.All(annotator.Matrix.Cast<double>(), p => Assert.InRange(p, 0.01, 0.99));
            Assert.Equal(1.0, annotator.Matrix[0, 0] + annotator.Matrix[0, 1], 12);
            Assert.Equal(1.0, annotator.Matrix[1, 0] + annotator.Matrix[1, 1], 12);
        }
        Assert.Equal(["yes", "yes", "no", "yes", "no"], result.Items.Select(i => i.Label));
    }

    [Fact]
    public void No_answers_give_an_empty_result()
    {
        var result = DawidSkene.Aggregate([], ["a", "b"]);

        Assert.Empty(result.Items);
        Assert.Empty(result.Priors);
        Assert.Empty(result.Annotators);
        Assert.True(result.Converged);
    }

    [Fact]
    public void Bad_options_and_unknown_gold_answers_are_refused()
    {
        var answers = CrowdKitToy.Answers();

        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Aggregate(answers, CrowdKitToy.Categories, options: new DawidSkeneOptions(MaxIterations: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Aggregate(answers, CrowdKitToy.Categories, options: new DawidSkeneOptions(Tolerance: double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Aggregate(answers, CrowdKitToy.Categories, options: new DawidSkeneOptions(PseudoCount: -1)));
        var error = Assert.Throws<ArgumentException>(() => DawidSkene.Aggregate(answers, CrowdKitToy.Categories, new Dictionary<long, string> { [1] = "maybe" }));
        Assert.Contains("maybe", error.Message);
    }
}

/// <summary>
/// A seeded synthetic crowd: every annotator answers every item, right with their accuracy, otherwise one of the
/// other categories at random.
/// </summary>
internal sealed record SyntheticCrowd(List<(Guid Annotator, long Item, string Answer)> Answers, string[] Categories, Dictionary<long, string> Truth)
{
    public static SyntheticCrowd Generate(int seed, int items, int categories, double[] accuracies)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, categories).Select(k => $"c{k}").ToArray();
        var truth = new Dictionary<long, string>();
        var answers = new List<(Guid, long, string)>();
        for (long item = 1; item <= items; item++)
        {
            var trueCategory = random.Next(categories);
            truth[item] = names[trueCategory];
            for (var a = 0; a < accuracies.Length; a++)
            {
                var answer = random.NextDouble() < accuracies[a] ? trueCategory : (trueCategory + 1 + random.Next(categories - 1)) % categories;
                answers.Add((MajorityVoteTests.Annotator(a + 1), item, names[answer]));
            }
        }
        return new SyntheticCrowd(answers, names, truth);
    }

    public double Accuracy(IReadOnlyList<ItemAggregate> items) => items.Average(i => i.Label == Truth[i.Item] ? 1.0 : 0.0);
}
