using System.Runtime.InteropServices;

namespace LabelHub.Domain.Cleansing;

/// <param name="Threshold">Jaccard similarity of the shingle sets at or above which two texts are near-duplicates.</param>
/// <param name="HashCount">k, the MinHash signature length; the banding uses ⌊k / r⌋ · r of them, the similarity estimate all k.</param>
/// <param name="Banding">(b, r); null picks <see cref="LshBanding.Choose"/> for the threshold and k.</param>
/// <param name="VerifyExactly">Verify candidates by exact Jaccard over kept shingle sets (about 8 bytes per shingle
/// more memory) instead of the signatures' estimate.</param>
/// <param name="MaxDegreeOfParallelism">Threads computing signatures; -1 for all processors.</param>
public sealed record NearDuplicateOptions(
    double Threshold = 0.8,
    int HashCount = 128,
    ulong Seed = 0x4C6162656C487562UL,
    ShingleOptions? Shingles = null,
    LshBanding? Banding = null,
    bool VerifyExactly = false,
    int MaxDegreeOfParallelism = -1)
{
    public ShingleOptions ShingleOptions => Shingles ?? ShingleOptions.Default;

    public LshBanding EffectiveBanding => Banding ?? LshBanding.Choose(Threshold, HashCount);
}

/// <param name="Similarity">To the group's representative (its first member, 1 for itself): exact Jaccard when
/// verifying exactly, else the signatures' estimate. Groups are transitive, so a member reached through another one
/// can be below the threshold here.</param>
public readonly record struct NearDuplicateMember(long ItemId, double Similarity);

/// <summary>Texts linked by verified near-duplicate pairs; the representative is the one added first.</summary>
public sealed record NearDuplicateGroup(IReadOnlyList<NearDuplicateMember> Members)
{
    public long RepresentativeId => Members[0].ItemId;
}

/// <param name="IndexedTexts">Texts with at least one shingle; empty texts are never near-duplicates.</param>
/// <param name="CandidatePairs">Pairs met in band buckets (the same pair in several bands counts each time).</param>
/// <param name="VerifiedPairs">Candidates compared (not yet in one group) and found at or above the threshold.</param>
public sealed record NearDuplicateSearchResult(
    IReadOnlyList<NearDuplicateGroup> Groups,
    LshBanding Banding,
    int IndexedTexts,
    long CandidatePairs,
    long ComparedPairs,
    long VerifiedPairs);

/// <summary>
/// Near-duplicate texts by MinHash and LSH banding: texts stream in through <see cref="Add"/>, each kept only as its
/// k uint32 signature (512 bytes for k = 128); <see cref="FindGroups"/> buckets each band by sorting (band key,
/// text) arrays, verifies candidate pairs and joins the verified ones by union-find. Same input, options and seed
/// give the same groups.
/// </summary>
public sealed class NearDuplicateTextFinder
{
    // Buckets larger than this (e.g. many identical texts) are chained instead of compared pairwise.
    private const int PairwiseBucketLimit = 64;
    private const int BlockShift = 14;
    private const int BlockItems = 1 << BlockShift;
    private const int BatchSize = 4096;

    private readonly NearDuplicateOptions _options;
    private readonly ShingleOptions _shingles;
    private readonly MinHasher _hasher;
    private readonly int _k;
    private readonly List<long> _ids = [];
    private readonly List<uint[]> _signatureBlocks = [];
    private readonly ShingleSetStore? _shingleSets;
    private readonly List<(long ItemId, string Text)> _pending = new(BatchSize);

    public NearDuplicateTextFinder(NearDuplicateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Threshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashCount, 1);
        var banding = options.EffectiveBanding;
        ArgumentOutOfRangeException.ThrowIfLessThan(banding.Bands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(banding.Rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(banding.HashesUsed, options.HashCount);
        _options = options;
        _shingles = options.ShingleOptions;
        ArgumentOutOfRangeException.ThrowIfLessThan(_shingles.Size, 1);
        _k = options.HashCount;
        _hasher = new MinHasher(_k, options.Seed);
        _shingleSets = options.VerifyExactly ? new ShingleSetStore() : null;
    }

    public NearDuplicateOptions Options => _options;

    /// <summary>Texts indexed so far (those with at least one shingle) plus those still waiting in the batch.</summary>
    public int Count => _ids.Count + _pending.Count;

    /// <summary>Adds one text; each item id is expected once (the finder does not check).</summary>
    public void Add(long itemId, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _pending.Add((itemId, text));
        if (_pending.Count == BatchSize)
        {
            Flush();
        }
    }

    public void AddRange(IEnumerable<(long ItemId, string Text)> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var (itemId, text) in texts)
        {
            Add(itemId, text);
        }
    }

    public NearDuplicateSearchResult FindGroups()
    {
        Flush();
        var banding = _options.EffectiveBanding;
        var n = _ids.Count;
        var sets = new DisjointSets(n);
        long candidates = 0, compared = 0, verified = 0;
        var keys = new ulong[n];
        var order = new int[n];
        for (var band = 0; band < banding.Bands; band++)
        {
            var firstRow = band * banding.Rows;
            var bandSeed = TextShingler.Mix((ulong)band + 1);
            for (var i = 0; i < n; i++)
            {
                var signature = Signature(i).Slice(firstRow, banding.Rows);
                var key = bandSeed;
                foreach (var value in signature)
                {
                    key = TextShingler.Mix(key ^ value);
                }
                keys[i] = key;
                order[i] = i;
            }
            Array.Sort(keys, order);
            var start = 0;
            while (start < n)
            {
                var end = start + 1;
                while (end < n && keys[end] == keys[start])
                {
                    end++;
                }
                if (end - start > 1)
                {
                    // Deterministic order inside a bucket, whatever the sort did with equal keys.
                    Array.Sort(order, start, end - start);
                    if (end - start <= PairwiseBucketLimit)
                    {
                        for (var a = start; a < end; a++)
                        {
                            for (var b = a + 1; b < end; b++)
                            {
                                Consider(order[a], order[b]);
                            }
                        }
                    }
                    else
                    {
                        for (var a = start + 1; a < end; a++)
                        {
                            Consider(order[start], order[a]);
                            if (a > start + 1)
                            {
                                Consider(order[a - 1], order[a]);
                            }
                        }
                    }
                }
                start = end;
            }
        }
        return new NearDuplicateSearchResult(CollectGroups(sets), banding, n, candidates, compared, verified);

        void Consider(int a, int b)
        {
            candidates++;
            if (sets.Find(a) == sets.Find(b))
            {
                return;
            }
            compared++;
            if (Similarity(a, b) >= _options.Threshold)
            {
                verified++;
                sets.Union(a, b);
            }
        }
    }

    private List<NearDuplicateGroup> CollectGroups(DisjointSets sets)
    {
        var n = _ids.Count;
        // Members of a root in index order: the representative is the member added first.
        var membersByRoot = new Dictionary<int, List<int>>();
        for (var i = 0; i < n; i++)
        {
            var root = sets.Find(i);
            if (sets.Size(root) < 2)
            {
                continue;
            }
            if (!membersByRoot.TryGetValue(root, out var members))
            {
                members = [];
                membersByRoot.Add(root, members);
            }
            members.Add(i);
        }
        var groups = new List<NearDuplicateGroup>(membersByRoot.Count);
        foreach (var members in membersByRoot.Values.OrderBy(m => m[0]))
        {
            var representative = members[0];
            var list = new NearDuplicateMember[members.Count];
            for (var m = 0; m < members.Count; m++)
            {
                var similarity = m == 0 ? 1.0 : Similarity(representative, members[m]);
                list[m] = new NearDuplicateMember(_ids[members[m]], similarity);
            }
            groups.Add(new NearDuplicateGroup(list));
        }
        return groups;
    }

    private double Similarity(int a, int b) =>
        _shingleSets is { } shingleSets
            ? TextShingler.Jaccard(shingleSets.Get(a), shingleSets.Get(b))
            : MinHasher.EstimatedJaccard(Signature(a), Signature(b));

    private Span<uint> Signature(int index) =>
        _signatureBlocks[index >> BlockShift].AsSpan((index & (BlockItems - 1)) * _k, _k);

    /// <summary>Signs the pending texts in parallel into their slots, then appends them in arrival order.</summary>
    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var batch = _pending.ToArray();
        _pending.Clear();
        var signatures = new uint[batch.Length * _k];
        var shingleCounts = new int[batch.Length];
        var exactSets = _shingleSets is null ? null : new ulong[batch.Length][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism };
        Parallel.For(0, batch.Length, parallel, () => new List<ulong>(256), (i, _, hashes) =>
        {
            hashes.Clear();
            TextShingler.AppendHashes(TextShingler.Normalize(batch[i].Text), _shingles, hashes);
            shingleCounts[i] = hashes.Count;
            _hasher.Compute(CollectionsMarshal.AsSpan(hashes), signatures.AsSpan(i * _k, _k));
            if (exactSets is not null)
            {
                exactSets[i] = TextShingler.SortedDistinct([.. hashes]);
            }
            return hashes;
        }, _ => { });
        for (var i = 0; i < batch.Length; i++)
        {
            if (shingleCounts[i] == 0)
            {
                continue;
            }
            var index = _ids.Count;
            if ((index & (BlockItems - 1)) == 0)
            {
                _signatureBlocks.Add(new uint[BlockItems * _k]);
            }
            signatures.AsSpan(i * _k, _k).CopyTo(Signature(index));
            _ids.Add(batch[i].ItemId);
            _shingleSets?.Append(exactSets![i]);
        }
    }

    /// <summary>
    /// Sorted distinct shingle sets packed into 1 Mi-entry chunks, so a million texts are a few hundred long-lived
    /// arrays instead of a million small ones for the garbage collector to trace.
    /// </summary>
    private sealed class ShingleSetStore
    {
        private const int ChunkLength = 1 << 20;
        private readonly List<ulong[]> _chunks = [];
        private readonly List<(int Chunk, int Start, int Length)> _entries = [];
        private int _used = ChunkLength;

        public void Append(ReadOnlySpan<ulong> set)
        {
            var current = _chunks.Count == 0 ? 0 : _chunks[^1].Length;
            if (current - _used < set.Length)
            {
                _chunks.Add(new ulong[Math.Max(ChunkLength, set.Length)]);
                _used = 0;
            }
            set.CopyTo(_chunks[^1].AsSpan(_used));
            _entries.Add((_chunks.Count - 1, _used, set.Length));
            _used += set.Length;
        }

        public ReadOnlySpan<ulong> Get(int index)
        {
            var (chunk, start, length) = _entries[index];
            return _chunks[chunk].AsSpan(start, length);
        }
    }

    /// <summary>Union-find with path halving and union by size.</summary>
    private sealed class DisjointSets
    {
        private readonly int[] _parent;
        private readonly int[] _size;

        public DisjointSets(int count)
        {
            _parent = new int[count];
            _size = new int[count];
            for (var i = 0; i < count; i++)
            {
                _parent[i] = i;
                _size[i] = 1;
            }
        }

        public int Find(int x)
        {
            while (_parent[x] != x)
            {
                _parent[x] = _parent[_parent[x]];
                x = _parent[x];
            }
            return x;
        }

        public int Size(int root) => _size[root];

        public void Union(int a, int b)
        {
            int rootA = Find(a), rootB = Find(b);
            if (rootA == rootB)
            {
                return;
            }
            if (_size[rootA] < _size[rootB])
            {
                (rootA, rootB) = (rootB, rootA);
            }
            _parent[rootB] = rootA;
            _size[rootA] += _size[rootB];
        }
    }
}
