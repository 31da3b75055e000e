using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace LabelHub.Domain.Collection;

/// <summary>Limits that keep a hostile ZIP (a "zip bomb", millions of entries) from exhausting the worker.</summary>
public sealed record ImageArchiveLimits(int MaxEntries, long MaxEntryBytes, long MaxTotalBytes)
{
    public static readonly ImageArchiveLimits Default = new(100_000, 50L * 1024 * 1024, 2L * 1024 * 1024 * 1024);
}

public enum EntryPathVerdict
{
    /// <summary>A file to import, at <see cref="EntryPathCheck.Path"/>.</summary>
    Accept,

    /// <summary>A directory, a macOS resource fork (__MACOSX) or a hidden dot file: silently left out.</summary>
    Skip,

    /// <summary>A name that is absolute or climbs out of the archive: the whole import is refused.</summary>
    Reject,
}

public readonly record struct EntryPathCheck(EntryPathVerdict Verdict, string Path, string? Problem);

/// <summary>One image found in an archive. <paramref name="Index"/> is its 1-based position among all entries.</summary>
public sealed record ArchiveImage(int Index, string Name, ImageFormat Format, int Width, int Height, long Length, string Sha256);

public sealed record ArchiveScan(IReadOnlyList<ArchiveImage> Images, IReadOnlyList<ImportRowError> Errors, int SkippedEntries)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Reads a ZIP of images in two passes: <see cref="Scan(Stream, ImageArchiveLimits?, IProgress{double}?, CancellationToken)"/>
/// checks every entry (name, size, magic bytes) and keeps only each image's size and hash, so nothing is stored unless
/// the whole archive is good; <see cref="Read(Stream, IEnumerable{ArchiveImage})"/> then hands out the bytes one image at
/// a time. Both read the archive in place from a seekable stream (an upload in the database is read a chunk at a time),
/// so memory holds one image, whatever the archive's size.
/// Errors use the entry's 1-based index as their "line"; problems with the archive as a whole use line 0.
/// </summary>
public static class ImageArchive
{
    /// <summary>A folder that is never written to: entry paths are resolved against it to prove they stay inside.</summary>
    private static readonly string VirtualRoot = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "labelhub-archive-root"));

    /// <summary>Decides what to do with an entry by its name alone.</summary>
    public static EntryPathCheck CheckEntryPath(string fullName)
    {
        var name = fullName.Replace('\\', '/');
        if (name.Length == 0)
        {
            return new(EntryPathVerdict.Skip, "", null);
        }
        if (name.Any(char.IsControl))
        {
            return new(EntryPathVerdict.Reject, name, "its name contains control characters");
        }
        if (name.StartsWith('/') || (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':'))
        {
            return new(EntryPathVerdict.Reject, name, "its path is absolute");
        }
        var segments = name.Split('/');
        if (segments.Contains(".."))
        {
            return new(EntryPathVerdict.Reject, name, "its path points outside the archive (\"..\")");
        }
        var kept = segments.Where(s => s.Length > 0 && s != ".").ToArray();
        var path = string.Join('/', kept);
        // Belt and braces: whatever the rules above missed must still resolve inside a root folder.
        if (!StaysInside(path))
        {
            return new(EntryPathVerdict.Reject, name, "its path points outside the archive");
        }
        if (name.EndsWith('/') || kept.Length == 0)
        {
            return new(EntryPathVerdict.Skip, path, null);
        }
        if (kept.Any(s => s.Equals("__MACOSX", StringComparison.OrdinalIgnoreCase) || s.StartsWith('.')))
        {
            return new(EntryPathVerdict.Skip, path, null);
        }
        return new(EntryPathVerdict.Accept, path, null);
    }

    private static bool StaysInside(string path)
    {
        try
        {
            var resolved = System.IO.Path.GetFullPath(System.IO.Path.Combine(VirtualRoot, path));
            return resolved == VirtualRoot || resolved.StartsWith(VirtualRoot + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    /// <summary>An archive held in memory: see <see cref="Scan(Stream, ImageArchiveLimits?, IProgress{double}?, CancellationToken)"/>.</summary>
    public static ArchiveScan Scan(byte[] zip, ImageArchiveLimits? limits = null, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        using var stream = new MemoryStream(zip, writable: false);
        return Scan(stream, limits, progress, ct);
    }

    /// <summary>
    /// Checks every entry of a seekable archive without keeping any bytes; collects all problems, as a text import does.
    /// The stream stays open and its position moves.
    /// </summary>
    public static ArchiveScan Scan(Stream zip, ImageArchiveLimits? limits = null, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(zip);
        limits ??= ImageArchiveLimits.Default;
        var images = new List<ArchiveImage>();
        var errors = new List<ImportRowError>();
        var skipped = 0;
        ArchiveScan Result() => new(images, errors, skipped);

        // The end record says how many entries there are; refuse a huge count before .NET builds an object for each.
        if (DeclaredEntryCount(zip) is { } declared && declared > limits.MaxEntries)
        {
            errors.Add(new(0, $"the archive has {declared:N0} entries; at most {limits.MaxEntries:N0} are allowed"));
            return Result();
        }
        if (!TryOpen(zip, out var archive, out var openError))
        {
            errors.Add(new(0, openError));
            return Result();
        }
        using (archive)
        {
            var entries = archive.Entries;
            if (entries.Count > limits.MaxEntries)
            {
                errors.Add(new(0, $"the archive has {entries.Count:N0} entries; at most {limits.MaxEntries:N0} are allowed"));
                return Result();
            }
            var declaredTotal = entries.Sum(e => Math.Max(0, e.Length));
            if (declaredTotal > limits.MaxTotalBytes)
            {
                errors.Add(new(0, $"the archive unpacks to {Megabytes(declaredTotal)}; at most {Megabytes(limits.MaxTotalBytes)} are allowed"));
                return Result();
            }

            long actualTotal = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var entry = entries[i];
                var index = i + 1;
                var check = CheckEntryPath(entry.FullName);
                if (check.Verdict == EntryPathVerdict.Skip)
                {
                    skipped++;
                    continue;
                }
                if (check.Verdict == EntryPathVerdict.Reject)
                {
                    AddError(errors, index, entry.FullName, check.Problem!);
                }
                else if (entry.Length > limits.MaxEntryBytes)
                {
                    AddError(errors, index, entry.FullName, $"it is larger than {Megabytes(limits.MaxEntryBytes)}");
                }
                else if (!TryReadEntry(entry, out var bytes, out var readError))
                {
                    AddError(errors, index, entry.FullName, readError);
                }
                else
                {
                    actualTotal += bytes.Length;
                    if (actualTotal > limits.MaxTotalBytes)
                    {
                        errors.Add(new(0, $"the archive unpacks to more than {Megabytes(limits.MaxTotalBytes)}"));
                        return Result();
                    }
                    if (ImageInfo.TryRead(bytes, out var format, out var width, out var height))
                    {
                        images.Add(new ArchiveImage(index, check.Path, format, width, height, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
                    }
                    else if (TextArchive.IsText(check.Path))
                    {
                        AddError(errors, index, entry.FullName, "it is a .txt file; an archive holds either images or .txt files, not both");
                    }
                    else
                    {
                        AddError(errors, index, entry.FullName, $"it is not a {ImageInfo.Formats} image");
                    }
                }
                if (errors.Count > ItemFileParser.MaxErrorsReported)
                {
                    errors.Add(new(index, "too many bad entries; stopped checking"));
                    return Result();
                }
                progress?.Report((double)index / entries.Count);
            }
        }
        if (images.Count == 0 && errors.Count == 0)
        {
            errors.Add(new(0, $"the archive holds no {ImageInfo.Formats} images"));
        }
        return Result();
    }

    /// <summary>An archive held in memory: see <see cref="Read(Stream, IEnumerable{ArchiveImage})"/>.</summary>
    public static IEnumerable<(ArchiveImage Image, byte[] Bytes)> Read(byte[] zip, IEnumerable<ArchiveImage> images)
    {
        using var stream = new MemoryStream(zip, writable: false);
        foreach (var image in Read(stream, images))
        {
            yield return image;
        }
    }

    /// <summary>The bytes of scanned images of a seekable archive, in the order asked for, one at a time. The stream stays open.</summary>
    public static IEnumerable<(ArchiveImage Image, byte[] Bytes)> Read(Stream zip, IEnumerable<ArchiveImage> images)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        var entries = archive.Entries;
        foreach (var image in images)
        {
            if (!TryReadEntry(entries[image.Index - 1], out var bytes, out var error) || bytes.Length != image.Length)
            {
                throw new InvalidDataException($"Entry {image.Index} ({image.Name}) changed between reads: {error}");
            }
            yield return (image, bytes);
        }
    }

    /// <summary>An archive held in memory: see <see cref="DeclaredEntryCount(Stream)"/>.</summary>
    public static long? DeclaredEntryCount(byte[] zip)
    {
        using var stream = new MemoryStream(zip, writable: false);
        return DeclaredEntryCount(stream);
    }

    /// <summary>
    /// The total entry count from the end-of-central-directory record (or its ZIP64 twin), or null when the
    /// record cannot be found; <see cref="ZipArchive"/> reports that properly when opening. Reads only the
    /// stream's tail (where the record and its comment of at most 64 KiB sit) and, for ZIP64, the record it points to.
    /// </summary>
    public static long? DeclaredEntryCount(Stream zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        const int EndRecordSize = 22;
        const int Zip64LocatorSize = 20;
        const int Zip64RecordSize = 56;
        // The locator sits just before the end record: the tail takes it in wherever the end record is found.
        var tail = new byte[(int)Math.Min(zip.Length, EndRecordSize + ushort.MaxValue + Zip64LocatorSize)];
        zip.Position = zip.Length - tail.Length;
        zip.ReadExactly(tail);
        var lowest = Math.Max(0, tail.Length - EndRecordSize - ushort.MaxValue);
        for (var at = tail.Length - EndRecordSize; at >= lowest; at--)
        {
            if (!tail.AsSpan(at).StartsWith("PK\u0005\u0006"u8))
            {
                continue;
            }
            long total = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
            var locator = at - Zip64LocatorSize;
            if (total == ushort.MaxValue && locator >= 0 && tail.AsSpan(locator).StartsWith("PK\u0006\u0007"u8))
            {
                var offset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(locator + 8));
                if (offset >= 0 && offset <= zip.Length - Zip64RecordSize)
                {
                    var record = new byte[Zip64RecordSize];
                    zip.Position = offset;
                    zip.ReadExactly(record);
                    if (record.AsSpan().StartsWith("PK\u0006\u0006"u8))
                    {
                        var total64 = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32));
                        return total64 > long.MaxValue ? long.MaxValue : (long)total64;
                    }
                }
            }
            return total;
        }
        return null;
    }

    internal static bool TryOpen(Stream zip, out ZipArchive archive, out string error)
    {
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            error = "";
            return true;
        }
        catch (InvalidDataException)
        {
            archive = null!;
            error = "the file is not a readable ZIP archive";
            return false;
        }
    }

    /// <summary>Reads exactly the declared number of bytes and makes sure the entry holds no more than that.</summary>
    internal static bool TryReadEntry(ZipArchiveEntry entry, out byte[] bytes, out string error)
    {
        bytes = [];
        try
        {
            using var stream = entry.Open();
            var buffer = new byte[entry.Length];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read < buffer.Length)
            {
                error = "it is shorter than the archive says";
                return false;
            }
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) > 0)
            {
                error = "it holds more data than the archive says";
                return false;
            }
            // .NET stops reading at the declared size; an entry that lied about it (or is damaged) fails its checksum.
            if (Crc32(buffer) != entry.Crc32)
            {
                error = "its data does not match its checksum (damaged, or its size is misdeclared)";
                return false;
            }
            bytes = buffer;
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            error = "it cannot be read (damaged, encrypted or an unsupported compression method)";
            return false;
        }
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The ZIP checksum (CRC-32, polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }

    internal static void AddError(List<ImportRowError> errors, int index, string entryName, string problem) =>
        errors.Add(new ImportRowError(index, $"\"{Shorten(entryName)}\": {problem}"));

    private static string Shorten(string name) => name.Length <= 200 ? name : name[..100] + "…" + name[^99..];

    internal static string Megabytes(long bytes) => bytes >= 1024L * 1024 * 1024 && bytes % (1024L * 1024 * 1024) == 0
        ? $"{bytes / (1024L * 1024 * 1024)} GB"
        : $"{Math.Ceiling(bytes / (1024.0 * 1024)):N0} MB";
}
