using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

public sealed class ImageArchiveTests
{
    // Smallest valid headers: enough for ImageInfo, which never decodes pixels.
    private static readonly byte[] Gif = [.. "GIF89a"u8, 4, 0, 3, 0, 0xF7, 0, 0];
    private static readonly byte[] OtherGif = [.. "GIF89a"u8, 8, 0, 6, 0, 0xF7, 0, 0];
    private static readonly byte[] Bmp =
        [.. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1, 0, 24, 0, .. new byte[24]];

    [Theory]
    [InlineData("a.png", EntryPathVerdict.Accept, "a.png")]
    [InlineData("cars/red/1.jpg", EntryPathVerdict.Accept, "cars/red/1.jpg")]
    [InlineData("./cars//1.jpg", EntryPathVerdict.Accept, "cars/1.jpg")]
    [InlineData("cars\\2.jpg", EntryPathVerdict.Accept, "cars/2.jpg")]
    [InlineData("a..b.png", EntryPathVerdict.Accept, "a..b.png")]
    [InlineData("cars/", EntryPathVerdict.Skip, "cars")]
    [InlineData("", EntryPathVerdict.Skip, "")]
    [InlineData("__MACOSX/._a.png", EntryPathVerdict.Skip, "__MACOSX/._a.png")]
    [InlineData("cars/__MACOSX/a.png", EntryPathVerdict.Skip, "cars/__MACOSX/a.png")]
    [InlineData(".DS_Store", EntryPathVerdict.Skip, ".DS_Store")]
    [InlineData("cars/.hidden.png", EntryPathVerdict.Skip, "cars/.hidden.png")]
    [InlineData(".git/config", EntryPathVerdict.Skip, ".git/config")]
    public void Entry_paths_that_are_kept_or_skipped(string fullName, EntryPathVerdict verdict, string path)
    {
        var check = ImageArchive.CheckEntryPath(fullName);
        Assert.Equal(verdict, check.Verdict);
        Assert.Equal(path, check.Path);
        Assert.Null(check.Problem);
    }

    [Theory]
    [InlineData("../evil.png", "outside")]
    [InlineData("cars/../../evil.png", "outside")]
    [InlineData("..\\evil.png", "outside")]
    [InlineData("cars/..", "outside")]
    [InlineData("__MACOSX/../../evil.png", "outside")]
    [InlineData("../", "outside")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("\\\\server\\share\\a.png", "absolute")]
    [InlineData("C:/Windows/a.png", "absolute")]
    [InlineData("c:evil.png", "absolute")]
    [InlineData("a\u0000.png", "control")]
    public void Entry_paths_that_escape_are_rejected(string fullName, string problem)
    {
        var check = ImageArchive.CheckEntryPath(fullName);
        Assert.Equal(EntryPathVerdict.Reject, check.Verdict);
        Assert.Contains(problem, check.Problem);
    }

    [Fact]
    public void Images_are_found_and_folders_and_mac_files_are_skipped()
    {
        var zip = Zip(("cars/", []), ("cars/a.gif", Gif), ("__MACOSX/cars/._a.gif", [0, 5, 22, 7]), (".DS_Store", [1, 2, 3]), ("b.bmp", Bmp));

        var scan = ImageArchive.Scan(zip);

        Assert.True(scan.Succeeded, string.Join("; ", scan.Errors));
        Assert.Equal(3, scan.SkippedEntries);
        Assert.Collection(scan.Images,
            a => Assert.Equal((2, "cars/a.gif", ImageFormat.Gif, 4, 3, Sha(Gif)), (a.Index, a.Name, a.Format, a.Width, a.Height, a.Sha256)),
            b => Assert.Equal((5, "b.bmp", ImageFormat.Bmp, 2, 5, Sha(Bmp)), (b.Index, b.Name, b.Format, b.Width, b.Height, b.Sha256)));
        var read = ImageArchive.Read(zip, scan.Images).ToList();
        Assert.Equal([Gif, Bmp], read.Select(r => r.Bytes));
    }

    [Fact]
    public void Every_bad_entry_is_named_with_its_index()
    {
        var zip = Zip(("ok.gif", Gif), ("../evil.png", Gif), ("notes.txt", "not an image"u8.ToArray()), ("/abs.gif", Gif), ("fine.gif", OtherGif));

        var scan = ImageArchive.Scan(zip);

        Assert.False(scan.Succeeded);
        Assert.Collection(scan.Errors,
            e => Assert.Equal((2, "\"../evil.png\": its path points outside the archive (\"..\")"), (e.Line, e.Message)),
            e => Assert.Equal((3, "\"notes.txt\": it is a .txt file; an archive holds either images or .txt files, not both"), (e.Line, e.Message)),
            e => Assert.Equal((4, "\"/abs.gif\": its path is absolute"), (e.Line, e.Message)));
    }

    [Fact]
    public void Too_many_entries_is_refused_before_reading_any()
    {
        var zip = Zip(("a.gif", Gif), ("b.gif", OtherGif), ("c.gif", Gif));
        Assert.Equal(3, ImageArchive.DeclaredEntryCount(zip));

        var scan = ImageArchive.Scan(zip, new ImageArchiveLimits(MaxEntries: 2, MaxEntryBytes: 1000, MaxTotalBytes: 10_000));

        var error = Assert.Single(scan.Errors);
        Assert.Equal(0, error.Line);
        Assert.Contains("3 entries; at most 2", error.Message);
        Assert.Empty(scan.Images);
    }

    [Fact]
    public void An_entry_over_the_size_limit_is_named()
    {
        var big = new byte[5000];
        Gif.CopyTo(big, 0);
        var zip = Zip(("small.gif", Gif), ("big.gif", big));

        var scan = ImageArchive.Scan(zip, new ImageArchiveLimits(MaxEntries: 10, MaxEntryBytes: 4096, MaxTotalBytes: 1_000_000));

        var error = Assert.Single(scan.Errors);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("\"big.gif\": it is larger than", error.Message);
    }

    [Fact]
    public void A_zip_bomb_by_total_size_is_refused()
    {
        // Highly compressible: a few hundred bytes in the archive, far more once unpacked.
        var padded = new byte[40_000];
        Gif.CopyTo(padded, 0);
        var zip = Zip(("a.gif", padded), ("b.gif", padded), ("c.gif", padded));
        Assert.True(zip.Length < 2000);

        var scan = ImageArchive.Scan(zip, new ImageArchiveLimits(MaxEntries: 10, MaxEntryBytes: 50_000, MaxTotalBytes: 100_000));

        var error = Assert.Single(scan.Errors);
        Assert.Equal(0, error.Line);
        Assert.Contains("unpacks to", error.Message);
    }

    [Fact]
    public void An_entry_holding_more_than_it_declares_is_refused()
    {
        var padded = new byte[40_000];
        Gif.CopyTo(padded, 0);
        var zip = Zip(("liar.gif", padded));
        // Both headers claim 100 bytes; the compressed data still unpacks to 40,000.
        PatchSizes(zip, 100);

        var scan = ImageArchive.Scan(zip, new ImageArchiveLimits(MaxEntries: 10, MaxEntryBytes: 1000, MaxTotalBytes: 10_000));

        var error = Assert.Single(scan.Errors);
        Assert.Equal(1, error.Line);
        // .NET stops at the declared size, so the bomb cannot expand; the checksum then gives the lie away.
        Assert.StartsWith("\"liar.gif\": it", error.Message);
        Assert.Empty(scan.Images);
    }

    [Fact]
    public void Crc32_is_the_zip_checksum() => Assert.Equal(0xCBF43926u, ImageArchive.Crc32("123456789"u8));

    [Fact]
    public void Not_a_zip_and_an_empty_zip_are_reported()
    {
        Assert.Equal("the file is not a readable ZIP archive", Assert.Single(ImageArchive.Scan("hello"u8.ToArray()).Errors).Message);
        Assert.Contains("no PNG, JPEG, GIF, WebP or BMP images", Assert.Single(ImageArchive.Scan(Zip(("folder/", []))).Errors).Message);
    }

    [Fact]
    public void A_stream_is_scanned_and_read_in_place_as_the_bytes_are()
    {
        var zip = Zip(("cars/a.gif", Gif), ("notes/", []), ("b.bmp", Bmp), ("c.gif", OtherGif));
        using var stream = new ReadCountingStream(zip);

        var scan = ImageArchive.Scan(stream);

        Assert.True(scan.Succeeded, string.Join("; ", scan.Errors));
        Assert.Equal(ImageArchive.Scan(zip).Images, scan.Images);
        Assert.Equal([Gif, Bmp, OtherGif], ImageArchive.Read(stream, scan.Images).Select(r => r.Bytes));
        // The stream stays open for the caller: some of the images again, in another order.
        Assert.Equal([OtherGif, Gif], ImageArchive.Read(stream, [scan.Images[2], scan.Images[0]]).Select(r => r.Bytes));
    }

    [Fact]
    public void Bad_entries_and_a_stream_that_is_no_zip_are_reported_from_a_stream_too()
    {
        using var mixed = new ReadCountingStream(Zip(("ok.gif", Gif), ("../evil.png", Gif), ("notes.txt", "not an image"u8.ToArray())));
        Assert.Equal([2, 3], ImageArchive.Scan(mixed).Errors.Select(e => e.Line));

        using var text = new ReadCountingStream("hello"u8.ToArray());
        Assert.Null(ImageArchive.DeclaredEntryCount(text));
        Assert.Equal("the file is not a readable ZIP archive", Assert.Single(ImageArchive.Scan(text).Errors).Message);
    }

    [Fact]
    public void The_entry_count_is_read_from_the_tail_of_a_stream_without_reading_the_rest()
    {
        // A megabyte of stored noise before the central directory, and a comment after the end record.
        var noise = RandomNumberGenerator.GetBytes(1 << 20);
        var zip = Zip(CompressionLevel.NoCompression, "a comment", ("noise.bin", noise), ("a.gif", Gif), ("b.gif", OtherGif));
        using var stream = new ReadCountingStream(zip);

        Assert.Equal(3, ImageArchive.DeclaredEntryCount(stream));

        Assert.InRange(stream.BytesRead, 22, 22 + ushort.MaxValue + 20);
        Assert.All(stream.Reads, read => Assert.True(read.Position >= zip.Length - 22 - ushort.MaxValue - 20, $"read at {read.Position}"));
    }

    [Fact]
    public void A_zip64_archive_declares_its_entry_count_in_the_zip64_record()
    {
        // Past 65,534 entries .NET writes a ZIP64 end record; the classic one then says 0xFFFF.
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < 70_000; i++)
            {
                archive.CreateEntry($"d{i}/", CompressionLevel.NoCompression);
            }
        }
        var zip = buffer.ToArray();
        using var stream = new ReadCountingStream(zip);

        Assert.Equal(70_000, ImageArchive.DeclaredEntryCount(stream));
        Assert.Equal(70_000, ImageArchive.DeclaredEntryCount(zip));

        var scan = ImageArchive.Scan(stream, new ImageArchiveLimits(MaxEntries: 65_535, MaxEntryBytes: 1000, MaxTotalBytes: 10_000));
        Assert.Contains("70,000 entries; at most 65,535", Assert.Single(scan.Errors).Message);
    }

    [Fact]
    public void A_zip64_record_far_from_the_tail_is_read_where_it_points_and_a_huge_count_is_refused_before_opening()
    {
        // A ZIP64 end record claiming five billion entries at the start, a megabyte away from the locator that points to it.
        const long Claimed = 5_000_000_000;
        var record = new byte[56];
        "PK\u0006\u0006"u8.CopyTo(record);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(4), 44);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(24), Claimed);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(32), Claimed);
        var locator = new byte[20];
        "PK\u0006\u0007"u8.CopyTo(locator);
        BinaryPrimitives.WriteInt64LittleEndian(locator.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32LittleEndian(locator.AsSpan(16), 1);
        var end = new byte[22];
        "PK\u0005\u0006"u8.CopyTo(end);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), uint.MaxValue);
        byte[] zip = [.. record, .. new byte[1 << 20], .. locator, .. end];
        using var stream = new ReadCountingStream(zip);

        Assert.Equal(Claimed, ImageArchive.DeclaredEntryCount(stream));
        Assert.Equal(22 + ushort.MaxValue + 20 + 56, stream.BytesRead);

        using var again = new ReadCountingStream(zip);
        var scan = ImageArchive.Scan(again);
        Assert.Contains("5,000,000,000 entries; at most 100,000", Assert.Single(scan.Errors).Message);
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries) => Zip(CompressionLevel.Optimal, null, entries);

    private static byte[] Zip(CompressionLevel level, string? comment, params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (comment is not null)
            {
                archive.Comment = comment;
            }
            foreach (var (name, bytes) in entries)
            {
                var entry = archive.CreateEntry(name, level);
                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Rewrites the uncompressed size in every local and central header, as a hostile archive would.</summary>
    private static void PatchSizes(byte[] zip, int size)
    {
        for (var i = 0; i + 4 <= zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50)
            {
                BinaryPrimitives.WriteInt32LittleEndian(zip.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50)
            {
                BinaryPrimitives.WriteInt32LittleEndian(zip.AsSpan(i + 24), size);
            }
        }
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A seekable stream over bytes that is not a MemoryStream, and remembers where and how much was read.</summary>
    private sealed class ReadCountingStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes, writable: false);

        public List<(long Position, int Count)> Reads { get; } = [];

        public long BytesRead => Reads.Sum(r => (long)r.Count);

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var position = inner.Position;
            var read = inner.Read(buffer, offset, count);
            Reads.Add((position, read));
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
