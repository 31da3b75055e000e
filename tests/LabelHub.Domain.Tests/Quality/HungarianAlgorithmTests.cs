using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>The assignment solver against brute force over every assignment, square and rectangular.</summary>
public sealed class HungarianAlgorithmTests
{
    [Fact]
    public void A_worked_example()
    {
        // Row 0 → column 1 (1), row 1 → column 0 (2), row 2 → column 2 (2): 5, the least of the 6 permutations.
        double[,] cost = { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };

        Assert.Equal([1, 0, 2], HungarianAlgorithm.MinimumCostAssignment(cost));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Square_matrices_reach_the_brute_force_optimum(int n)
    {
        var random = new Random(1000 + n);
        for (var trial = 0; trial < 40; trial++)
        {
            // Half the trials use a few whole numbers, so there are many ties.
            var cost = RandomMatrix(random, n, n, wholeNumbers: trial % 2 == 0);

            AssertOptimal(cost, HungarianAlgorithm.MinimumCostAssignment(cost));
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 5)]
    [InlineData(3, 6)]
    [InlineData(5, 6)]
    [InlineData(4, 1)]
    [InlineData(6, 3)]
    [InlineData(6, 5)]
    public void Rectangular_matrices_assign_every_row_or_column_of_the_smaller_side_at_the_brute_force_optimum(int rows, int columns)
    {
        var random = new Random(rows * 10 + columns);
        for (var trial = 0; trial < 40; trial++)
        {
            var cost = RandomMatrix(random, rows, columns, wholeNumbers: trial % 2 == 0);

            var assignment = HungarianAlgorithm.MinimumCostAssignment(cost);

            Assert.Equal(Math.Min(rows, columns), assignment.Count(column => column != HungarianAlgorithm.Unassigned));
            AssertOptimal(cost, assignment);
        }
    }

    [Fact]
    public void Negative_costs_and_maximum_weight()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 40; trial++)
        {
            var weight = RandomMatrix(random, 4, 5, wholeNumbers: false);
            var negated = new double[4, 5];
            for (var i = 0; i < 4; i++)
            {
                for (var j = 0; j < 5; j++)
                {
                    negated[i, j] = -weight[i, j];
                }
            }

            var assignment = HungarianAlgorithm.MaximumWeightAssignment(weight);

            AssertOptimal(negated, assignment);
        }
    }

    [Fact]
    public void Empty_matrices_and_bad_costs()
    {
        Assert.Empty(HungarianAlgorithm.MinimumCostAssignment(new double[0, 0]));
        Assert.Equal([HungarianAlgorithm.Unassigned, HungarianAlgorithm.Unassigned], HungarianAlgorithm.MinimumCostAssignment(new double[2, 0]));
        Assert.Throws<ArgumentException>(() => HungarianAlgorithm.MinimumCostAssignment(new double[,] { { 1, double.NaN } }));
        Assert.Throws<ArgumentException>(() => HungarianAlgorithm.MinimumCostAssignment(new double[,] { { double.PositiveInfinity } }));
    }

    private static double[,] RandomMatrix(Random random, int rows, int columns, bool wholeNumbers)
    {
        var matrix = new double[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                matrix[i, j] = wholeNumbers ? random.Next(4) : random.NextDouble() * 200 - 100;
            }
        }
        return matrix;
    }

    /// <summary>The assignment is one-to-one and costs no more than the cheapest assignment found by trying them all.</summary>
    private static void AssertOptimal(double[,] cost, int[] assignment)
    {
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        Assert.Equal(rows, assignment.Length);
        var usedColumns = assignment.Where(column => column != HungarianAlgorithm.Unassigned).ToList();
        Assert.Equal(usedColumns.Count, usedColumns.Distinct().Count());
        Assert.Equal(Math.Min(rows, columns), usedColumns.Count);
        var total = Enumerable.Range(0, rows).Where(row => assignment[row] != HungarianAlgorithm.Unassigned).Sum(row => cost[row, assignment[row]]);
        Assert.Equal(BruteForceMinimum(cost), total, 9);
    }

    /// <summary>Every injective map from the smaller side into the larger one.</summary>
    private static double BruteForceMinimum(double[,] cost)
    {
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        var transposed = rows > columns;
        int small = Math.Min(rows, columns), large = Math.Max(rows, columns);
        var best = double.PositiveInfinity;
        var used = new bool[large];
        void Search(int index, double sum)
        {
            if (index == small)
            {
                best = Math.Min(best, sum);
                return;
            }
            for (var other = 0; other < large; other++)
            {
                if (!used[other])
                {
                    used[other] = true;
                    Search(index + 1, sum + (transposed ? cost[other, index] : cost[index, other]));
                    used[other] = false;
                }
            }
        }
        Search(0, 0);
        return small == 0 ? 0 : best;
    }
}
