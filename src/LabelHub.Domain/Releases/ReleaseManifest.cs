using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LabelHub.Domain.Releases;

/// <summary>
/// The SHA-256 of a release's manifest (<see cref="Release.ManifestSha256"/>): one line "id TAB split TAB content hash
/// LF" in UTF-8 per item, in item id order. The cut and the reproducibility check (<see cref="ReleaseVerifier"/>) both
/// hash through this one class, so a check can only disagree with the cut because the rows differ.
/// </summary>
public sealed class ReleaseManifest : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // One line: a long, two tabs, the split name and a hex SHA-256 (64) fit with room to spare.
    private readonly byte[] line = new byte[256];

    /// <summary>Adds one item's line, without a string per item.</summary>
    public void Add(long itemId, short split, string contentHash)
    {
        ArgumentNullException.ThrowIfNull(contentHash);
        var buffer = Encoding.UTF8.GetMaxByteCount(contentHash.Length) + 40 > line.Length
            ? new byte[Encoding.UTF8.GetMaxByteCount(contentHash.Length) + 40]
            : line;
        var span = buffer.AsSpan();
        itemId.TryFormat(span, out var length, default, CultureInfo.InvariantCulture);
        span[length++] = (byte)'\t';
        length += Encoding.UTF8.GetBytes(SplitNames.All[split], span[length..]);
        span[length++] = (byte)'\t';
        length += Encoding.UTF8.GetBytes(contentHash, span[length..]);
        span[length++] = (byte)'\n';
        hash.AppendData(span[..length]);
    }

    /// <summary>The manifest's SHA-256 in lower-case hex; the manifest starts empty again.</summary>
    public string Finish() => Convert.ToHexStringLower(hash.GetHashAndReset());

    public void Dispose() => hash.Dispose();
}
