namespace LabelHub.Domain.Quality;

/// <summary>
/// Optimal one-to-one assignment on a cost matrix (Kuhn 1955, Munkres 1957) in O(n²m) for n ≤ m, using the
/// shortest-augmenting-path form with row and column potentials (Jonker and Volgenant 1987; the compact
/// formulation in e-maxx "Hungarian algorithm for the assignment problem"). Rectangular matrices are allowed:
/// every row of the smaller side is assigned, the surplus of the larger side stays unassigned.
/// </summary>
public static class HungarianAlgorithm
{
    /// <summary>Unassigned row or column.</summary>
    public const int Unassigned = -1;

    /// <summary>
    /// Pairs rows with columns so that the sum of the chosen costs is as small as possible.
    /// </summary>
    /// <returns>For each row, its column, or <see cref="Unassigned"/> when there are more rows than columns.</returns>
    public static int[] MinimumCostAssignment(double[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        foreach (var value in cost)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException("Every cost must be a finite number.", nameof(cost));
            }
        }
        var assignment = new int[rows];
        Array.Fill(assignment, Unassigned);
        if (rows == 0 || columns == 0)
        {
            return assignment;
        }
        if (rows <= columns)
        {
            var columnOfRow = Solve(rows, columns, (row, column) => cost[row, column]);
            Array.Copy(columnOfRow, assignment, rows);
            return assignment;
        }
        // The algorithm assigns every row of a matrix that is at least as wide as tall: solve the transpose.
        var rowOfColumn = Solve(columns, rows, (column, row) => cost[row, column]);
        for (var column = 0; column < columns; column++)
        {
            assignment[rowOfColumn[column]] = column;
        }
        return assignment;
    }

    /// <summary>Pairs rows with columns so that the sum of the chosen weights is as large as possible.</summary>
    public static int[] MaximumWeightAssignment(double[,] weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var cost = new double[weight.GetLength(0), weight.GetLength(1)];
        for (var row = 0; row < weight.GetLength(0); row++)
        {
            for (var column = 0; column < weight.GetLength(1); column++)
            {
                cost[row, column] = -weight[row, column];
            }
        }
        return MinimumCostAssignment(cost);
    }

    /// <summary>
    /// The n ≤ m case. Rows are added one at a time; each addition grows a shortest-path tree over the columns
    /// with reduced costs cost − u[row] − v[column] ≥ 0 until it reaches a free column, then flips the path.
    /// Arrays are 1-based with index 0 as the virtual start, as in the cited formulation.
    /// </summary>
    private static int[] Solve(int n, int m, Func<int, int, double> cost)
    {
        var rowPotential = new double[n + 1];
        var columnPotential = new double[m + 1];
        var rowOfColumn = new int[m + 1];
        var previousColumn = new int[m + 1];
        var minimumSlack = new double[m + 1];
        var visited = new bool[m + 1];
        for (var row = 1; row <= n; row++)
        {
            rowOfColumn[0] = row;
            var column = 0;
            Array.Fill(minimumSlack, double.PositiveInfinity);
            Array.Fill(visited, false);
            do
            {
                visited[column] = true;
                var currentRow = rowOfColumn[column];
                var delta = double.PositiveInfinity;
                var nextColumn = 0;
                for (var j = 1; j <= m; j++)
                {
                    if (visited[j])
                    {
                        continue;
                    }
                    var reduced = cost(currentRow - 1, j - 1) - rowPotential[currentRow] - columnPotential[j];
                    if (reduced < minimumSlack[j])
                    {
                        minimumSlack[j] = reduced;
                        previousColumn[j] = column;
                    }
                    if (minimumSlack[j] < delta)
                    {
                        delta = minimumSlack[j];
                        nextColumn = j;
                    }
                }
                for (var j = 0; j <= m; j++)
                {
                    if (visited[j])
                    {
                        rowPotential[rowOfColumn[j]] += delta;
                        columnPotential[j] -= delta;
                    }
                    else
                    {
                        minimumSlack[j] -= delta;
                    }
                }
                column = nextColumn;
            }
            while (rowOfColumn[column] != 0);
            do
            {
                var previous = previousColumn[column];
                rowOfColumn[column] = rowOfColumn[previous];
                column = previous;
            }
            while (column != 0);
        }
        var columnOfRow = new int[n];
        for (var j = 1; j <= m; j++)
        {
            if (rowOfColumn[j] != 0)
            {
                columnOfRow[rowOfColumn[j] - 1] = j - 1;
            }
        }
        return columnOfRow;
    }
}
