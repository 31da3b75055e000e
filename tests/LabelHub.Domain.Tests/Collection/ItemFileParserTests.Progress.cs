using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

public partial class ItemFileParserTests
{
    // ---------- progress and cancellation ----------

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Jsonl)]
    [InlineData(ItemFileFormat.Json)]
    public void Progress_IsReportedOccasionallyAndEndsAtOne(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 40_000));
        var progress = new RecordingProgress();

        var result = ItemFileParser.Parse(new MemoryStream(bytes), format, progress);

        AssertSucceeded(result);
        Assert.Equal(40_000, result.Items.Count);
        Assert.InRange(progress.Values.Count, 5, 101);
        Assert.Equal(1.0, progress.Values[^1]);
        Assert.All(progress.Values, value => Assert.InRange(value, 0.0, 1.0));
        Assert.Equal(progress.Values.Order(), progress.Values);
    }

    [Fact]
    public void Progress_OnStreamOfUnknownLength_StillEndsAtOne()
    {
        var progress = new RecordingProgress();
        var stream = new TrickleStream(Encoding.UTF8.GetBytes("text\na\nb\n"), maxReadSize: 2, lengthKnown: false);

        var result = ItemFileParser.Parse(stream, ItemFileFormat.Csv, progress);

        Assert.Equal(2, result.Items.Count);
        Assert.Equal([1.0], progress.Values);
    }

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Tsv)]
    [InlineData(ItemFileFormat.Jsonl)]
    [InlineData(ItemFileFormat.Json)]
    public void Cancellation_BeforeStart_Throws(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 10));
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => ItemFileParser.Parse(new MemoryStream(bytes), format, cancellationToken: cancellation.Token));
    }

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Json)]
    public void Cancellation_WhileParsing_Throws(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 40_000));
        using var cancellation = new CancellationTokenSource();
        var cancelOnFirstReport = new RecordingProgress(onReport: cancellation.Cancel);

        Assert.ThrowsAny<OperationCanceledException>(
            () => ItemFileParser.Parse(new MemoryStream(bytes), format, cancelOnFirstReport, cancellation.Token));
        Assert.Single(cancelOnFirstReport.Values);
    }

    // ---------- helpers ----------

    private static ItemParseResult Parse(string text, ItemFileFormat format) => Parse(Encoding.UTF8.GetBytes(text), format);

    private static ItemParseResult Parse(byte[] bytes, ItemFileFormat format) => ItemFileParser.Parse(new MemoryStream(bytes), format);

    private static string? Text(ParsedItem item, string key) => item.Data[key].GetString();

    private static byte[] Concat(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    private static void AssertSucceeded(ItemParseResult result)
    {
        // Shows the actual errors on failure instead of just "expected True".
        Assert.Empty(result.Errors.Select(error => $"{error.Line}: {error.Message}"));
        Assert.True(result.Succeeded);
    }

    private static string GenerateFile(ItemFileFormat format, int rowCount)
    {
        var builder = new StringBuilder();
        if (format is ItemFileFormat.Csv or ItemFileFormat.Tsv)
        {
            var delimiter = format == ItemFileFormat.Csv ? ',' : '\t';
            builder.Append("id").Append(delimiter).Append("text\n");
            for (var i = 0; i < rowCount; i++)
            {
                builder.Append(i).Append(delimiter).Append("some text for row ").Append(i).Append('\n');
            }
        }
        else
        {
            var isArray = format == ItemFileFormat.Json;
            builder.Append(isArray ? "[\n" : "");
            for (var i = 0; i < rowCount; i++)
            {
                var separator = isArray && i < rowCount - 1 ? "," : "";
                builder.Append("{\"id\":").Append(i).Append(",\"text\":\"some text for row ").Append(i).Append("\"}").Append(separator).Append('\n');
            }

            builder.Append(isArray ? "]\n" : "");
        }

        return builder.ToString();
    }

    private sealed class RecordingProgress(Action? onReport = null) : IProgress<double>
    {
        public List<double> Values { get; } = [];

        public void Report(double value)
        {
            Values.Add(value);
            onReport?.Invoke();
        }
    }

    /// <summary>A forward-only stream that hands out data in small pieces, like a network upload.</summary>
    private sealed class TrickleStream(byte[] data, int maxReadSize, bool lengthKnown = true) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => lengthKnown ? data.Length : throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = Math.Min(Math.Min(count, maxReadSize), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, read);
            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
