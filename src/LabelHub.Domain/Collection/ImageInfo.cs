using System.Buffers.Binary;

namespace LabelHub.Domain.Collection;

public enum ImageFormat
{
    Png,
    Jpeg,
    Gif,
    WebP,
    Bmp,
}

/// <summary>
/// Recognises the image formats LabelHub stores and serves by their magic bytes, and reads their pixel size
/// from the header alone (no decoder). The size is the size a browser shows: a JPEG whose EXIF orientation
/// turns it on its side reports its width and height swapped.
/// </summary>
public static class ImageInfo
{
    public const string Formats = "PNG, JPEG, GIF, WebP or BMP";

    private static readonly Dictionary<string, ImageFormat> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = ImageFormat.Png,
        [".jpg"] = ImageFormat.Jpeg,
        [".jpeg"] = ImageFormat.Jpeg,
        [".gif"] = ImageFormat.Gif,
        [".webp"] = ImageFormat.WebP,
        [".bmp"] = ImageFormat.Bmp,
    };

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether the file name has one of the image extensions imports accept.</summary>
    public static bool HasImageExtension(string fileName) => Extensions.ContainsKey(Path.GetExtension(fileName));

    public static string ContentType(ImageFormat format) => format switch
    {
        ImageFormat.Png => "image/png",
        ImageFormat.Jpeg => "image/jpeg",
        ImageFormat.Gif => "image/gif",
        ImageFormat.WebP => "image/webp",
        ImageFormat.Bmp => "image/bmp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
    };

    /// <summary>
    /// The raster types LabelHub itself stores, and so the only ones its media endpoint serves inline.
    /// Never SVG or HTML: those can carry script.
    /// </summary>
    public static bool IsServableContentType(string contentType) =>
        Enum.GetValues<ImageFormat>().Any(f => string.Equals(ContentType(f), contentType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Recognises a PNG, JPEG, GIF, WebP or BMP image and reads its size in pixels.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ImageFormat format, out int width, out int height)
    {
        width = height = 0;
        bool ok;
        if (data.StartsWith(PngSignature))
        {
            format = ImageFormat.Png;
            ok = TryReadPng(data, out width, out height);
        }
        else if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            format = ImageFormat.Jpeg;
            ok = TryReadJpeg(data, out width, out height);
        }
        else if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            format = ImageFormat.Gif;
            ok = TryReadGif(data, out width, out height);
        }
        else if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            format = ImageFormat.WebP;
            ok = TryReadWebP(data, out width, out height);
        }
        else if (data.StartsWith("BM"u8))
        {
            format = ImageFormat.Bmp;
            ok = TryReadBmp(data, out width, out height);
        }
        else
        {
            format = default;
            ok = false;
        }
        if (!ok || width <= 0 || height <= 0)
        {
            width = height = 0;
            return false;
        }
        return true;
    }

    private static bool TryReadPng(ReadOnlySpan<byte> data, out int width, out int height)
    {
        // Signature, then the IHDR chunk: length 13, "IHDR", width and height as big-endian 31-bit numbers.
        width = height = 0;
        if (data.Length < 24 || !data[12..16].SequenceEqual("IHDR"u8))
        {
            return false;
        }
        width = BinaryPrimitives.ReadInt32BigEndian(data[16..]);
        height = BinaryPrimitives.ReadInt32BigEndian(data[20..]);
        return true;
    }

    private static bool TryReadGif(ReadOnlySpan<byte> data, out int width, out int height)
    {
        // "GIF8xa", then the logical screen size as little-endian 16-bit numbers.
        width = height = 0;
        if (data.Length < 10)
        {
            return false;
        }
        width = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        height = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
        return true;
    }

    private static bool TryReadBmp(ReadOnlySpan<byte> data, out int width, out int height)
    {
        // 14-byte file header, then a DIB header whose first field is its own size.
        width = height = 0;
        if (data.Length < 26)
        {
            return false;
        }
        var dibSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (dibSize == 12)
        {
            // BITMAPCOREHEADER (OS/2): 16-bit sizes.
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
            return true;
        }
        if (dibSize < 40)
        {
            return false;
        }
        width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
        var rawHeight = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
        // A negative height means the rows are stored top-down.
        height = rawHeight == int.MinValue ? 0 : Math.Abs(rawHeight);
        return true;
    }

    private static bool TryReadWebP(ReadOnlySpan<byte> data, out int width, out int height)
    {
        // "RIFF" size "WEBP", then the first chunk: "VP8 " (lossy), "VP8L" (lossless) or "VP8X" (extended).
        width = height = 0;
        if (data.Length < 30)
        {
            return false;
        }
        var chunk = data[12..16];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // A 3-byte frame tag, the start code 9D 01 2A, then 14-bit sizes (the top two bits are a scale).
            if (data[23] != 0x9D || data[24] != 0x01 || data[25] != 0x2A)
            {
                return false;
            }
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF;
            return true;
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            // The signature byte 0x2F, then width-1 and height-1 as two 14-bit fields.
            if (data[20] != 0x2F)
            {
                return false;
            }
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
            return true;
        }
        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Flags and reserved bytes, then the canvas width-1 and height-1 as 24-bit numbers.
            width = ReadUInt24LittleEndian(data[24..]) + 1;
            height = ReadUInt24LittleEndian(data[27..]) + 1;
            return true;
        }
        return false;
    }

    private static int ReadUInt24LittleEndian(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    private static bool TryReadJpeg(ReadOnlySpan<byte> data, out int width, out int height)
    {
        // Walks the marker segments after SOI up to the first start-of-frame, noting the EXIF orientation on the way.
        width = height = 0;
        var orientation = 1;
        var position = 2;
        while (position + 4 <= data.Length)
        {
            if (data[position] != 0xFF)
            {
                return false;
            }
            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                // Fill byte before a marker.
                position++;
                continue;
            }
            position += 2;
            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7))
            {
                // Markers that stand alone, without a length.
                continue;
            }
            if (marker is 0xD9 or 0xDA)
            {
                // End of image or start of scan before any frame header.
                return false;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (length < 2 || position + length > data.Length)
            {
                return false;
            }
            var segment = data.Slice(position + 2, length - 2);
            if (marker == 0xE1 && ExifOrientation(segment) is { } exif)
            {
                orientation = exif;
            }
            // SOF0 to SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segment.Length < 5)
                {
                    return false;
                }
                height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                if (orientation is >= 5 and <= 8)
                {
                    // Transposed or rotated by 90°: browsers show it the other way round.
                    (width, height) = (height, width);
                }
                return true;
            }
            position += length;
        }
        return false;
    }

    /// <summary>The orientation tag (0x0112) of IFD0 in an APP1 "Exif" segment, or null.</summary>
    private static int? ExifOrientation(ReadOnlySpan<byte> segment)
    {
        if (segment.Length < 14 || !segment.StartsWith("Exif\0\0"u8))
        {
            return null;
        }
        var tiff = segment[6..];
        bool littleEndian;
        if (tiff.StartsWith("II"u8))
        {
            littleEndian = true;
        }
        else if (tiff.StartsWith("MM"u8))
        {
            littleEndian = false;
        }
        else
        {
            return null;
        }
        ushort U16(ReadOnlySpan<byte> s) => littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

        var ifd = U32(tiff[4..]);
        if (ifd > (uint)tiff.Length - 2)
        {
            return null;
        }
        var count = U16(tiff[(int)ifd..]);
        for (var i = 0; i < count; i++)
        {
            var entry = (int)ifd + 2 + (i * 12);
            if (entry + 12 > tiff.Length)
            {
                return null;
            }
            if (U16(tiff[entry..]) == 0x0112 && U16(tiff[(entry + 2)..]) == 3)
            {
                int value = U16(tiff[(entry + 8)..]);
                return value is >= 1 and <= 8 ? value : null;
            }
        }
        return null;
    }
}
