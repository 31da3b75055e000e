using System.IO.Compression;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// Release downloads stream straight into the response body, which cannot seek and refuses synchronous writes (as
/// Kestrel does). Every writer must get through such a stream, give the same files as into a seekable buffer and give
/// the same bytes twice; a writer that fails must not leave a ZIP that reads as whole.
/// </summary>
public sealed class StreamedArchiveTests
{
    public static TheoryData<string, string> WritersAndFixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var writer in ReleaseDownloadService.Writers)
        {
            data.Add(writer.Format.ToString(), "image");
            if (writer.CannotWrite(TextFormatFixture.Schema) is null)
            {
                data.Add(writer.Format.ToString(), "text");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WritersAndFixtures))]
    public async Task Writer_streams_into_a_response_like_body_with_the_same_files_every_time(string format, string fixture)
    {
        var writer = ReleaseDownloadService.Writers.Single(w => string.Equals(w.Format.ToString(), format, StringComparison.Ordinal));
        var buffered = fixture == "text" ? await TextFormatFixture.WriteAsync(writer) : await ImageFormatFixture.WriteAsync(writer);
        var first = await StreamAsync(writer, fixture);
        var second = await StreamAsync(writer, fixture);

        Assert.Equal(first, second);
        Assert.Equal(Contents(buffered), Contents(first));
        Assert.NotEmpty(Contents(first));
    }

    [Fact]
    public async Task Failure_while_writing_leaves_no_archive_that_reads_as_whole()
    {
        var body = new ResponseLikeStream();
        var failure = await Assert.ThrowsAsync<ValidationException>(() => ReleaseZip.WriteArchiveAsync(body, async (zip, ct) =>
        {
            await new JsonlReleaseWriter().WriteAsync(TextFormatFixture.Context(), zip, ct);
            throw new ValidationException("objects", "Item 3 has a box labeled bird, which is not one of the field's labels.");
        }, CancellationToken.None));

        Assert.True(failure.EnglishErrors.ContainsKey("objects"));
        Assert.True(body.Written.Length > 0, "the first file was already streamed");
        Assert.Throws<InvalidDataException>(() => new ZipArchive(new MemoryStream(body.Written), ZipArchiveMode.Read));
    }

    [Fact]
    public async Task Archive_of_many_files_reaches_the_body_in_small_pieces_not_held_until_the_end()
    {
        var body = new ResponseLikeStream();
        await ReleaseZip.WriteArchiveAsync(body, async (zip, ct) =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                await using var stream = await ReleaseZip.Create(zip, $"labels/train/{i}.txt").OpenAsync(ct);
                await stream.WriteAsync("0 0.5 0.5 0.1 0.1\n"u8.ToArray(), ct);
            }
        }, CancellationToken.None);

        // The central directory alone is over 1 MB here: it must stream too, not wait in a buffer.
        Assert.True(body.Written.Length > 1_000_000);
        Assert.True(body.LargestWrite <= 1 << 17, $"largest single write {body.LargestWrite} bytes");
        using var read = new ZipArchive(new MemoryStream(body.Written), ZipArchiveMode.Read);
        Assert.Equal(20_000, read.Entries.Count);
    }

    [Fact]
    public async Task Response_like_stream_refuses_synchronous_writes_as_the_server_does()
    {
        var body = new ResponseLikeStream();
        Assert.Throws<InvalidOperationException>(() => body.Write([1, 2, 3], 0, 3));
        await body.WriteAsync(new byte[] { 1, 2, 3 });
        Assert.Equal([1, 2, 3], body.Written);
    }

    private static async Task<byte[]> StreamAsync(IReleaseFormatWriter writer, string fixture)
    {
        var body = new ResponseLikeStream();
        var context = fixture == "text" ? TextFormatFixture.Context() : ImageFormatFixture.Context();
        await ReleaseZip.WriteArchiveAsync(body, (zip, ct) => writer.WriteAsync(context, zip, ct), CancellationToken.None);
        return body.Written;
    }

    private static List<(string Path, string Hex)> Contents(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var files = new List<(string, string)>();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            files.Add((entry.FullName, Convert.ToHexString(bytes.ToArray())));
        }
        return files;
    }

    /// <summary>A response body as Kestrel gives it: forward only, asynchronous writes only.</summary>
    private sealed class ResponseLikeStream : Stream
    {
        private readonly MemoryStream written = new();

        public byte[] Written => written.ToArray();

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => throw Synchronous();

        public override void Write(ReadOnlySpan<byte> buffer) => throw Synchronous();

        public override void WriteByte(byte value) => throw Synchronous();

        public override void Flush() => throw Synchronous();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            written.Write(buffer.Span);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private static InvalidOperationException Synchronous() => new("Synchronous operations are disallowed.");
    }
}
