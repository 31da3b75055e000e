using System.Buffers.Binary;
using System.Text;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

/// <summary>Header-only size reading, against minimal headers built byte by byte from each format's specification.</summary>
public sealed class ImageInfoTests
{
    [Fact]
    public void Png_size_comes_from_IHDR()
    {
        AssertImage(Png(640, 480), ImageFormat.Png, 640, 480);
    }

    [Fact]
    public void Jpeg_size_comes_from_the_first_start_of_frame()
    {
        AssertImage(Jpeg(sof: 0xC0, width: 1024, height: 768), ImageFormat.Jpeg, 1024, 768);
    }

    [Fact]
    public void Progressive_jpeg_after_huffman_tables_and_fill_bytes()
    {
        // DHT (C4) sits in the SOF range but is not a frame header; FF fill bytes may precede any marker.
        var bytes = Concat(
            [0xFF, 0xD8],
            Segment(0xE0, Encoding.ASCII.GetBytes("JFIF\0\u0001\u0001\0\0\u0001\0\u0001\0\0")),
            Segment(0xC4, new byte[20]),
            [0xFF, 0xFF],
            Segment(0xC2, FrameHeader(300, 200)));
        AssertImage(bytes, ImageFormat.Jpeg, 300, 200);
    }

    [Theory]
    [InlineData(1, 1024, 768, false)]
    [InlineData(3, 1024, 768, false)]
    [InlineData(6, 1024, 768, true)]
    [InlineData(8, 1024, 768, true)]
    public void Jpeg_exif_orientation_turns_the_size_as_browsers_show_it(int orientation, int width, int height, bool swapped)
    {
        foreach (var littleEndian in new[] { true, false })
        {
            var bytes = Concat([0xFF, 0xD8], Segment(0xE1, Exif(orientation, littleEndian)), Segment(0xC0, FrameHeader(width, height)));
            AssertImage(bytes, ImageFormat.Jpeg, swapped ? height : width, swapped ? width : height);
        }
    }

    [Fact]
    public void Jpeg_without_a_frame_before_the_scan_is_not_an_image()
    {
        var bytes = Concat([0xFF, 0xD8], Segment(0xDB, new byte[65]), Segment(0xDA, new byte[10]));
        Assert.False(ImageInfo.TryRead(bytes, out _, out _, out _));
    }

    [Theory]
    [InlineData("GIF87a")]
    [InlineData("GIF89a")]
    public void Gif_size_comes_from_the_logical_screen(string signature)
    {
        var bytes = Concat(Encoding.ASCII.GetBytes(signature), Le16(320), Le16(240), [0xF7, 0, 0]);
        AssertImage(bytes, ImageFormat.Gif, 320, 240);
    }

    [Theory]
    [InlineData(200, 100)]
    [InlineData(200, -100)]
    public void Bmp_with_an_info_header_bottom_up_or_top_down(int width, int height)
    {
        var bytes = Concat("BM"u8.ToArray(), Le32(0), Le32(0), Le32(54), Le32(40), Le32(width), Le32(height), Le16(1), Le16(24), new byte[24]);
        AssertImage(bytes, ImageFormat.Bmp, 200, 100);
    }

    [Fact]
    public void Bmp_with_an_os2_core_header()
    {
        var bytes = Concat("BM"u8.ToArray(), Le32(0), Le32(0), Le32(26), Le32(12), Le16(64), Le16(32), Le16(1), Le16(24));
        AssertImage(bytes, ImageFormat.Bmp, 64, 32);
    }

    [Fact]
    public void WebP_lossy_VP8()
    {
        var frame = Concat([0x9D, 0x01, 0x2A], Le16(500), Le16(375 | (1 << 14)), new byte[4]);
        var bytes = WebP("VP8 ", Concat([0x30, 0x01, 0x00], frame));
        // The top two bits of each size are a scale, not part of the size.
        AssertImage(bytes, ImageFormat.WebP, 500, 375);
    }

    [Fact]
    public void WebP_lossless_VP8L()
    {
        var bits = (uint)(800 - 1) | ((uint)(600 - 1) << 14);
        var bytes = WebP("VP8L", Concat([0x2F], Le32((int)bits), new byte[8]));
        AssertImage(bytes, ImageFormat.WebP, 800, 600);
    }

    [Fact]
    public void WebP_extended_VP8X()
    {
        var bytes = WebP("VP8X", Concat([0x10, 0, 0, 0], Le24(4000 - 1), Le24(3000 - 1)));
        AssertImage(bytes, ImageFormat.WebP, 4000, 3000);
    }

    public static TheoryData<string, byte[]> NotImages => new()
    {
        { "empty", [] },
        { "text", "hello, world"u8.ToArray() },
        { "svg", """<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"""u8.ToArray() },
        { "html", "<!DOCTYPE html><html><body>hi</body></html>"u8.ToArray() },
        { "truncated png", Png(10, 10)[..20] },
        { "png of zero width", Png(0, 10) },
        { "webp with an unknown chunk", WebP("ABCD", new byte[10]) },
        { "bmp with a bad header size", Concat("BM"u8.ToArray(), Le32(0), Le32(0), Le32(54), Le32(20), Le32(5), Le32(5)) },
    };

    [Theory]
    [MemberData(nameof(NotImages))]
    public void Other_bytes_are_not_images(string what, byte[] bytes)
    {
        Assert.False(ImageInfo.TryRead(bytes, out _, out var width, out var height), what);
        Assert.Equal((0, 0), (width, height));
    }

    [Theory]
    [InlineData("a.png", true)]
    [InlineData("A.JPG", true)]
    [InlineData("dir/b.jpeg", true)]
    [InlineData("c.gif", true)]
    [InlineData("d.webp", true)]
    [InlineData("e.bmp", true)]
    [InlineData("f.svg", false)]
    [InlineData("g.zip", false)]
    [InlineData("h", false)]
    public void Image_extensions(string fileName, bool expected) => Assert.Equal(expected, ImageInfo.HasImageExtension(fileName));

    [Theory]
    [InlineData("image/png", true)]
    [InlineData("IMAGE/JPEG", true)]
    [InlineData("image/webp", true)]
    [InlineData("image/svg+xml", false)]
    [InlineData("text/html", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/zip", false)]
    public void Only_raster_types_are_served(string contentType, bool expected) => Assert.Equal(expected, ImageInfo.IsServableContentType(contentType));

    private static void AssertImage(byte[] bytes, ImageFormat expectedFormat, int expectedWidth, int expectedHeight)
    {
        Assert.True(ImageInfo.TryRead(bytes, out var format, out var width, out var height), $"not recognised as {expectedFormat}");
        Assert.Equal(expectedFormat, format);
        Assert.Equal((expectedWidth, expectedHeight), (width, height));
    }

    private static byte[] Png(int width, int height) =>
        Concat([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Be32(13), "IHDR"u8.ToArray(), Be32(width), Be32(height), [8, 2, 0, 0, 0], Be32(0));

    private static byte[] Jpeg(byte sof, int width, int height) =>
        Concat([0xFF, 0xD8], Segment(0xDB, new byte[65]), Segment(sof, FrameHeader(width, height)), [0xFF, 0xD9]);

    /// <summary>Precision, height, width, then three components (id, sampling, quantisation table).</summary>
    private static byte[] FrameHeader(int width, int height) => Concat([8], Be16(height), Be16(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);

    private static byte[] Segment(byte marker, byte[] payload) => Concat([0xFF, marker], Be16(payload.Length + 2), payload);

    /// <summary>An APP1 Exif payload whose IFD0 holds just the orientation tag.</summary>
    private static byte[] Exif(int orientation, bool littleEndian)
    {
        byte[] U16(int v) => littleEndian ? Le16(v) : Be16(v);
        byte[] U32(int v) => littleEndian ? Le32(v) : Be32(v);
        var tiff = Concat(
            littleEndian ? "II"u8.ToArray() : "MM"u8.ToArray(), U16(42), U32(8),
            U16(1), U16(0x0112), U16(3), U32(1), U16(orientation), U16(0),
            U32(0));
        return Concat("Exif\0\0"u8.ToArray(), tiff);
    }

    private static byte[] WebP(string chunk, byte[] payload) =>
        Concat("RIFF"u8.ToArray(), Le32(payload.Length + 12), "WEBP"u8.ToArray(), Encoding.ASCII.GetBytes(chunk), Le32(payload.Length), payload);

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Be16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    private static byte[] Be32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Le16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
        return bytes;
    }

    private static byte[] Le24(int value) => [(byte)value, (byte)(value >> 8), (byte)(value >> 16)];

    private static byte[] Le32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
