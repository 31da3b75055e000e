namespace LabelHub.Domain.Quality;

/// <param name="MaxIterations">EM rounds at most (crowd-kit's n_iter); 0 returns the majority-vote start.</param>
/// <param name="Tolerance">Stop once the evidence lower bound per answer rises by less than this (crowd-kit's tol).</param>
/// <param name="PseudoCount">
/// Added to every cell of every annotator's confusion counts before normalising (additive smoothing, a symmetric
/// Dirichlet prior). 0, the default, is crowd-kit's convention: no smoothing beyond the floor described in
/// <see cref="DawidSkene"/>.
/// </param>
public sealed record DawidSkeneOptions(int MaxIterations = 100, double Tolerance = 1e-5, double PseudoCount = 0);

/// <summary>An annotator's estimated confusion matrix: Matrix[true, answered] = P(answers answered | the true category is true); rows sum to 1.</summary>
public sealed record AnnotatorConfusion(Guid Annotator, double[,] Matrix)
{
    /// <summary>Mean of the diagonal: how often the annotator is right, averaged over the true categories.</summary>
    public double MeanDiagonal => Enumerable.Range(0, Matrix.GetLength(0)).Average(k => Matrix[k, k]);
}

/// <summary>The outcome of <see cref="DawidSkene.Aggregate(CategoricalAnswers, IReadOnlyDictionary{long, string}?, DawidSkeneOptions?)"/>.</summary>
/// <param name="Items">Per item (in <see cref="CategoricalAnswers.Items"/> order) the most probable category and its posterior.</param>
/// <param name="Categories">The categories, indexing <see cref="Priors"/>, the confusion matrices and <see cref="Posterior"/>.</param>
/// <param name="Priors">Estimated share of each true category; empty when there were no answers.</param>
/// <param name="Annotators">Per annotator (in <see cref="CategoricalAnswers.Annotators"/> order) the confusion matrix.</param>
/// <param name="Iterations">EM rounds run.</param>
/// <param name="Converged">The bound stopped rising by <see cref="DawidSkeneOptions.Tolerance"/> before the iteration limit.</param>
/// <param name="LowerBounds">The evidence lower bound per answer after each round.</param>
public sealed record DawidSkeneResult(
    IReadOnlyList<ItemAggregate> Items,
    IReadOnlyList<string> Categories,
    IReadOnlyList<double> Priors,
    IReadOnlyList<AnnotatorConfusion> Annotators,
    int Iterations,
    bool Converged,
    IReadOnlyList<double> LowerBounds)
{
    internal double[] Posteriors { get; init; } = [];

    /// <summary>The posterior probability that item <paramref name="itemIndex"/>'s true category is <paramref name="categoryIndex"/>.</summary>
    public double Posterior(int itemIndex, int categoryIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(itemIndex, Items.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(categoryIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(categoryIndex, Categories.Count);
        return Posteriors[itemIndex * Categories.Count + categoryIndex];
    }
}

/// <summary>
/// Dawid and Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM algorithm",
/// Applied Statistics 28(1): each annotator has a confusion matrix, each item a latent true category; EM alternates
/// between the items' posteriors (E-step) and the annotators' matrices and the category priors (M-step).
/// <para>
/// The steps follow crowd-kit's DawidSkene (Toloka, crowdkit/aggregation/classification/dawid_skene.py) so that
/// its published test values are reproduced:
/// start from majority-vote shares (a 2–2 tie starts at ½–½, not at a hard label); priors are the mean posterior;
/// confusion counts are posterior-weighted answer counts, floored at 1e-10 for every category the annotator has
/// used (so no log(0), and a true category the annotator never met yields a flat, uninformative column) and 0 for
/// categories the annotator never used (no answer ever looks them up); the E-step adds logs and subtracts the
/// row maximum before exponentiating; the stopping test compares crowd-kit's evidence lower bound per answer,
/// Σ_answers Σ_c p(c)·(log e(answer | c) + log prior(c)) + Σ_items H(p), between rounds.
/// Gold answers replace those items' posteriors with certainty after the start and after every E-step, so the
/// M-step learns each annotator's matrix from them.
/// </para>
/// </summary>
public static class DawidSkene
{
    /// <summary>crowd-kit's _EPS: the floor for probabilities that enter a logarithm.</summary>
    public const double Floor = 1e-10;

    public static DawidSkeneResult Aggregate(
        IEnumerable<(Guid Annotator, long Item, string Answer)> answers,
        IReadOnlyList<string> categories,
        IReadOnlyDictionary<long, string>? gold = null,
        DawidSkeneOptions? options = null) =>
        Aggregate(CategoricalAnswers.From(answers, categories), gold, options);

    /// <param name="gold">Known true categories by item id; items without answers are ignored.</param>
    /// <exception cref="ArgumentException">A gold answer is not one of the categories.</exception>
    public static DawidSkeneResult Aggregate(CategoricalAnswers answers, IReadOnlyDictionary<long, string>? gold = null, DawidSkeneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        options ??= new DawidSkeneOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxIterations, nameof(options));
        if (!(options.Tolerance >= 0) || !double.IsFinite(options.Tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance, "The tolerance is a finite number of at least 0.");
        }
        if (!(options.PseudoCount >= 0) || !double.IsFinite(options.PseudoCount))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PseudoCount, "The pseudo-count is a finite number of at least 0.");
        }
        if (answers.AnswerCount == 0)
        {
            return new DawidSkeneResult([], answers.Categories, [], [], 0, true, []);
        }
        var model = new Model(answers, GoldIndices(answers, gold), options.PseudoCount);
        model.StartFromMajorityVote();

        // crowd-kit's round r is: E-step, M-step, bound of the new state, stop if it rose by less than the
        // tolerance. Here one pass over the answers computes the bound of the current state and, from the same
        // log-likelihoods, the next state; the next state is kept only if the bound says to go on. So round r's
        // test happens in pass r + 1, and a stop keeps exactly the state crowd-kit stops in.
        var lowerBounds = new List<double>();
        var previous = double.NegativeInfinity;
        var converged = false;
        var rounds = 0;
        while (options.MaxIterations > 0)
        {
            var bound = model.BoundAndNextRound();
            if (rounds > 0)
            {
                lowerBounds.Add(bound);
                if (bound - previous < options.Tolerance)
                {
                    converged = true;
                    break;
                }
                previous = bound;
            }
            if (rounds == options.MaxIterations)
            {
                break;
            }
            model.AcceptNextRound();
            rounds++;
        }
        return model.Result(rounds, converged, lowerBounds);
    }

    private static int[] GoldIndices(CategoricalAnswers answers, IReadOnlyDictionary<long, string>? gold)
    {
        var goldCategory = new int[answers.Items.Count];
        Array.Fill(goldCategory, -1);
        if (gold is null)
        {
            return goldCategory;
        }
        foreach (var (item, category) in gold)
        {
            var itemIndex = answers.IndexOfItem(item);
            if (itemIndex < 0)
            {
                continue;
            }
            var categoryIndex = answers.IndexOfCategory(category);
            if (categoryIndex < 0)
            {
                throw new ArgumentException($"The gold answer '{category}' of item {item} is not one of the categories.", nameof(gold));
            }
            goldCategory[itemIndex] = categoryIndex;
        }
        return goldCategory;
    }

    /// <summary>
    /// The EM state in flat arrays. Confusion cells are laid out [annotator, answered, true] so that one answer's
    /// likelihoods for all true categories are contiguous: an answer's cell is (annotator·K + answered)·K.
    /// </summary>
    private sealed class Model
    {
        private readonly CategoricalAnswers _answers;
        private readonly int[] _goldCategory;
        private readonly double _pseudoCount;
        private readonly int _k;
        private readonly int[] _answerCell;
        private readonly bool[] _used;
        private readonly double[] _prior;
        private readonly double[] _logPrior;
        private readonly double[] _nextPriorSum;
        private readonly double[] _counts;
        private readonly double[] _confusion;
        private readonly double[] _logConfusion;
        private double[] _posterior;
        private double[] _nextPosterior;

        public Model(CategoricalAnswers answers, int[] goldCategory, double pseudoCount)
        {
            _answers = answers;
            _goldCategory = goldCategory;
            _pseudoCount = pseudoCount;
            _k = answers.Categories.Count;
            var annotators = answers.Annotators.Count;
            _answerCell = new int[answers.AnswerCount];
            _used = new bool[annotators * _k];
            for (var n = 0; n < _answerCell.Length; n++)
            {
                var usedCell = answers.AnswerAnnotator[n] * _k + answers.AnswerCategory[n];
                _used[usedCell] = true;
                _answerCell[n] = usedCell * _k;
            }
            _posterior = new double[answers.Items.Count * _k];
            _nextPosterior = new double[_posterior.Length];
            _prior = new double[_k];
            _logPrior = new double[_k];
            _nextPriorSum = new double[_k];
            _counts = new double[annotators * _k * _k];
            _confusion = new double[_counts.Length];
            _logConfusion = new double[_counts.Length];
        }

        /// <summary>crowd-kit's start: majority-vote shares, gold applied, then the M-step.</summary>
        public void StartFromMajorityVote()
        {
            MajorityVote.VoteShares(_answers, _nextPosterior);
            Array.Clear(_counts);
            Array.Clear(_nextPriorSum);
            for (var i = 0; i < _answers.Items.Count; i++)
            {
                var next = _nextPosterior.AsSpan(i * _k, _k);
                ApplyGold(i, next);
                Count(i, next);
            }
            AcceptNextRound();
        }

        /// <summary>
        /// One pass over the items. With the current matrices it sums each item's answer log-likelihoods; from them
        /// it adds the item's share of crowd-kit's evidence lower bound for the current posteriors, and computes the
        /// next posteriors (E-step, in log space, shifted by the row maximum before exponentiating) and their
        /// weighted answer counts and prior sums (the next M-step's input).
        /// </summary>
        /// <returns>
        /// The current state's bound per answer: Σ_answers Σ_c p(c)·(log e(answer | c) + log prior(c)) + Σ_items H(p)
        /// (crowd-kit's _evidence_lower_bound, which adds the log prior once per answer, divided by the answers).
        /// </returns>
        public double BoundAndNextRound()
        {
            int[] itemStart = _answers.ItemStart, answerCell = _answerCell, goldCategory = _goldCategory;
            double[] logConfusion = _logConfusion, logPrior = _logPrior, current = _posterior, next = _nextPosterior;
            double[] counts = _counts, nextPriorSum = _nextPriorSum;
            var k = _k;
            Array.Clear(counts);
            Array.Clear(nextPriorSum);
            var logLikelihood = new double[k];
            double joint = 0, entropy = 0;
            for (int i = 0, row = 0; i < goldCategory.Length; i++, row += k)
            {
                Array.Clear(logLikelihood);
                int start = itemStart[i], end = itemStart[i + 1];
                for (var n = start; n < end; n++)
                {
                    var cell = answerCell[n];
                    for (var c = 0; c < k; c++)
                    {
                        logLikelihood[c] += logConfusion[cell + c];
                    }
                }
                var max = double.NegativeInfinity;
                for (var c = 0; c < k; c++)
                {
                    var p = current[row + c];
                    joint += p * (logLikelihood[c] + (end - start) * logPrior[c]);
                    p = Math.Max(p, Floor);
                    entropy -= p * Math.Log(p);
                    logLikelihood[c] += logPrior[c];
                    max = Math.Max(max, logLikelihood[c]);
                }
                if (goldCategory[i] >= 0)
                {
                    Array.Clear(next, row, k);
                    next[row + goldCategory[i]] = 1;
                }
                else
                {
                    var sum = 0.0;
                    for (var c = 0; c < k; c++)
                    {
                        sum += next[row + c] = Math.Exp(logLikelihood[c] - max);
                    }
                    for (var c = 0; c < k; c++)
                    {
                        next[row + c] /= sum;
                    }
                }
                for (var c = 0; c < k; c++)
                {
                    nextPriorSum[c] += next[row + c];
                }
                for (var n = start; n < end; n++)
                {
                    var cell = answerCell[n];
                    for (var c = 0; c < k; c++)
                    {
                        counts[cell + c] += next[row + c];
                    }
                }
            }
            return (joint + entropy) / _answers.AnswerCount;
        }

        /// <summary>
        /// Makes the next state current: the posteriors, their mean as priors, and the M-step: weighted counts
        /// (plus the pseudo-count) floored at <see cref="Floor"/> in the categories the annotator used, each
        /// true-category column normalised over the categories the annotator can answer.
        /// </summary>
        public void AcceptNextRound()
        {
            (_posterior, _nextPosterior) = (_nextPosterior, _posterior);
            for (var c = 0; c < _k; c++)
            {
                _prior[c] = _nextPriorSum[c] / _answers.Items.Count;
                _logPrior[c] = Math.Log(Math.Max(_prior[c], Floor));
            }
            var columnSum = new double[_k];
            for (var a = 0; a < _answers.Annotators.Count; a++)
            {
                Array.Clear(columnSum);
                for (var answered = 0; answered < _k; answered++)
                {
                    var cell = (a * _k + answered) * _k;
                    var present = _used[a * _k + answered] || _pseudoCount > 0;
                    for (var c = 0; c < _k; c++)
                    {
                        _confusion[cell + c] = present ? Math.Max(_counts[cell + c] + _pseudoCount, Floor) : 0;
                        columnSum[c] += _confusion[cell + c];
                    }
                }
                for (var answered = 0; answered < _k; answered++)
                {
                    var cell = (a * _k + answered) * _k;
                    for (var c = 0; c < _k; c++)
                    {
                        _confusion[cell + c] /= columnSum[c];
                        // Cells of categories the annotator never used stay 0 and are never read.
                        _logConfusion[cell + c] = _confusion[cell + c] > 0 ? Math.Log(_confusion[cell + c]) : 0;
                    }
                }
            }
        }

        public DawidSkeneResult Result(int iterations, bool converged, IReadOnlyList<double> lowerBounds)
        {
            var items = new ItemAggregate[_answers.Items.Count];
            for (var i = 0; i < items.Length; i++)
            {
                var row = _posterior.AsSpan(i * _k, _k);
                var (best, tie) = MajorityVote.Winner<double>(row);
                items[i] = new ItemAggregate(_answers.Items[i], _answers.Categories[best], row[best], tie);
            }
            var annotators = new AnnotatorConfusion[_answers.Annotators.Count];
            for (var a = 0; a < annotators.Length; a++)
            {
                var matrix = new double[_k, _k];
                for (var answered = 0; answered < _k; answered++)
                {
                    for (var c = 0; c < _k; c++)
                    {
                        matrix[c, answered] = _confusion[(a * _k + answered) * _k + c];
                    }
                }
                annotators[a] = new AnnotatorConfusion(_answers.Annotators[a], matrix);
            }
            return new DawidSkeneResult(items, _answers.Categories, [.. _prior], annotators, iterations, converged, lowerBounds)
            {
                Posteriors = _posterior,
            };
        }

        /// <summary>A gold item's posterior is certain, whatever the answers say.</summary>
        private void ApplyGold(int item, Span<double> row)
        {
            if (_goldCategory[item] >= 0)
            {
                row.Clear();
                row[_goldCategory[item]] = 1;
            }
        }

        /// <summary>Adds an item's next posterior to the prior sums and, once per answer, to the answer's confusion counts.</summary>
        private void Count(int item, ReadOnlySpan<double> row)
        {
            for (var c = 0; c < _k; c++)
            {
                _nextPriorSum[c] += row[c];
            }
            for (var n = _answers.ItemStart[item]; n < _answers.ItemStart[item + 1]; n++)
            {
                var cell = _answerCell[n];
                for (var c = 0; c < _k; c++)
                {
                    _counts[cell + c] += row[c];
                }
            }
        }
    }
}
