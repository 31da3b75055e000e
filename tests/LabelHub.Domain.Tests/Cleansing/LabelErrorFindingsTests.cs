using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>How answers become given labels and confident learning's issues become findings.</summary>
public sealed class LabelErrorFindingsTests
{
    private static readonly LabelField Animal = new() { Name = "animal", Kind = FieldKind.Choice, Labels = ["cat", "dog", "bird"] };

    private static Guid Annotator(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    [Fact]
    public void An_items_given_label_is_its_strict_majority_and_ties_and_unknown_labels_are_left_out()
    {
        ChoiceAnswerRow[] answers =
        [
            new(10, Annotator(1), 1, "dog"),
            new(11, Annotator(1), 2, "cat"),
            new(12, Annotator(2), 2, "cat"),
            new(13, Annotator(3), 2, "bird"),
            new(14, Annotator(1), 3, "cat"),
            new(15, Annotator(2), 3, "dog"),
            new(16, Annotator(1), 4, "lion"),
        ];

        var given = CleansingAnswers.GivenLabels(answers, Animal.Labels);

        Assert.Equal([1L, 2], given.Select(g => g.ItemId));
        Assert.Equal((1, 1), (given[0].Label, given[0].Answers));
        Assert.Equal([10L], given[0].AnnotationIds);
        Assert.Equal(0, given[1].Label);
        Assert.Equal(3, given[1].Answers);
        Assert.Equal([11L, 12], given[1].AnnotationIds);
    }

    [Fact]
    public void Each_answer_of_a_suspect_label_gets_a_finding_with_the_models_label_and_a_score_from_the_ranking()
    {
        GivenLabel[] given = [new(1, 0, 1, [10]), new(2, 1, 3, [11, 12])];
        float[] probabilities = [0.1f, 0.8f, 0.1f, 0.05f, 0.15f, 0.8f];
        var issues = new[]
        {
            new LabelIssue(0, 0, 1, 0.1, -0.7, 0.1),
            new LabelIssue(1, 1, 2, 0.15, -0.65, 0.15),
        };
        var result = new ConfidentLearningResult([], [], [], [], [], 2, LabelIssueFilter.Both, LabelIssueRanking.SelfConfidence, issues);

        var findings = LabelErrorFindings.Build(Animal, given, probabilities, result);

        Assert.Equal([10L, 11, 12], findings.Select(f => f.AnnotationId!.Value));
        Assert.Equal([1L, 2, 2], findings.Select(f => f.ItemId));
        Assert.All(findings, f => Assert.Equal(FindingSource.LabelError, f.Source));
        Assert.All(findings, f => Assert.Equal("animal", f.Field));
        Assert.Equal(["dog", "bird", "bird"], findings.Select(f => f.Suggestion!.Value.GetString()));
        Assert.Equal([0.9, 0.85, 0.85], findings.Select(f => Math.Round(f.Score, 6)));
        Assert.Equal("Labeled cat; the model says dog (p = 0.80, self-confidence 0.10).", findings[0].Reason);
        Assert.Equal("Labeled dog by 2 of 3 annotators (the majority); the model says bird (p = 0.80, self-confidence 0.15).", findings[1].Reason);

        var byMargin = LabelErrorFindings.Build(Animal, given, probabilities, result with { Ranking = LabelIssueRanking.NormalizedMargin });
        Assert.Equal([0.85, 0.825, 0.825], byMargin.Select(f => Math.Round(f.Score, 6)));
    }

    [Fact]
    public void A_disagreement_finding_is_about_the_item_and_suggests_nothing_for_an_unsettled_tie()
    {
        ChoiceAnswerRow[] tie = [new(1, Annotator(1), 5, "cat"), new(2, Annotator(2), 5, "dog")];
        var flag = new DisagreementFlag(5, "cat", 0.5, null, [DisagreementReason.Split, DisagreementReason.LowVoteShare]);

        var finding = DisagreementRun.ToFinding(Animal, flag, tie);

        Assert.Null(finding.AnnotationId);
        Assert.Equal(DisagreementRun.VoteSplitCode, finding.Code);
        Assert.Null(finding.Suggestion);
        Assert.Equal(0.5, finding.Score);
        Assert.Equal("2 answers: 1 × cat, 1 × dog (vote share 0.50).", finding.Reason);

        var settled = DisagreementRun.ToFinding(Animal, flag with { Label = "dog", Posterior = 0.7, Reasons = [DisagreementReason.Split, DisagreementReason.LowPosterior] }, tie);
        Assert.Equal("dog", settled.Suggestion!.Value.GetString());
        Assert.Equal(0.3, settled.Score, 6);
        Assert.Equal("2 answers: 1 × cat, 1 × dog (vote share 0.50); Dawid–Skene gives dog a posterior of 0.70.", settled.Reason);

        var posteriorOnly = DisagreementRun.ToFinding(Animal, new DisagreementFlag(5, "dog", 0.67, 0.8, [DisagreementReason.LowPosterior]), tie);
        Assert.Equal(DisagreementRun.LowPosteriorCode, posteriorOnly.Code);
    }
}
