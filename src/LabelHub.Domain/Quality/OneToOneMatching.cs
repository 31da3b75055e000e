namespace LabelHub.Domain.Quality;

/// <summary>A pair that may match, with how much the pair is worth (positive).</summary>
internal readonly record struct CandidatePair(int A, int B, double Weight);

/// <summary>
/// Maximum-weight one-to-one matching between two sides when only some pairs may match. Pairs that may not
/// match are worth nothing, so the problem splits into the connected components of the candidate graph; each
/// component is solved exactly with <see cref="HungarianAlgorithm"/>. Components are small for real spans and
/// boxes (a span overlaps a handful of others), which keeps long documents and crowded images fast.
/// </summary>
internal static class OneToOneMatching
{
    public static List<CandidatePair> Match(int countA, int countB, IReadOnlyList<CandidatePair> candidates)
    {
        var matches = new List<CandidatePair>();
        if (candidates.Count == 0)
        {
            return matches;
        }
        // Union-find over A (0..countA-1) and B (countA..countA+countB-1).
        var parent = new int[countA + countB];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }
        foreach (var pair in candidates)
        {
            Union(parent, pair.A, countA + pair.B);
        }
        var byComponent = new Dictionary<int, List<CandidatePair>>();
        foreach (var pair in candidates)
        {
            var root = Find(parent, pair.A);
            if (!byComponent.TryGetValue(root, out var list))
            {
                byComponent[root] = list = [];
            }
            list.Add(pair);
        }
        // Components in order of their smallest A index, so the result does not depend on hashing.
        foreach (var component in byComponent.Values.OrderBy(c => c.Min(p => p.A)))
        {
            if (component.Count == 1)
            {
                matches.Add(component[0]);
                continue;
            }
            var aIndices = component.Select(p => p.A).Distinct().Order().ToArray();
            var bIndices = component.Select(p => p.B).Distinct().Order().ToArray();
            var weight = new double[aIndices.Length, bIndices.Length];
            foreach (var pair in component)
            {
                weight[Array.BinarySearch(aIndices, pair.A), Array.BinarySearch(bIndices, pair.B)] = pair.Weight;
            }
            var assignment = HungarianAlgorithm.MaximumWeightAssignment(weight);
            for (var row = 0; row < assignment.Length; row++)
            {
                // A zero-weight cell is a pair that may not match; the solver only used it to fill the square.
                if (assignment[row] != HungarianAlgorithm.Unassigned && weight[row, assignment[row]] > 0)
                {
                    matches.Add(new CandidatePair(aIndices[row], bIndices[assignment[row]], weight[row, assignment[row]]));
                }
            }
        }
        return matches;
    }

    private static int Find(int[] parent, int node)
    {
        while (parent[node] != node)
        {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        return node;
    }

    private static void Union(int[] parent, int a, int b)
    {
        int rootA = Find(parent, a), rootB = Find(parent, b);
        if (rootA != rootB)
        {
            parent[Math.Max(rootA, rootB)] = Math.Min(rootA, rootB);
        }
    }
}
