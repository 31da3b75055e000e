using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using LabelHub.Domain.Cleansing;
using LabelHub.Workers.Cleansing;
using SkiaSharp;

// Perceptual hashing and Hamming grouping, timed on one thread:
//   dotnet run -c Release --project bench/LabelHub.Bench.ImageHashes -- [--images 60000] [--hashes 1000000] [--out bench/results/image-hashes-<date>.md]
// Reads Debian's dataset-fashion-mnist (a benchmark, not a test: the tests use the PNGs committed under tests/).
var arguments = args.ToList();
string Option(string name, string fallback)
{
    var at = arguments.IndexOf(name);
    return at >= 0 && at + 1 < arguments.Count ? arguments[at + 1] : fallback;
}
var imageCount = int.Parse(Option("--images", "60000"), CultureInfo.InvariantCulture);
var hashCount = int.Parse(Option("--hashes", "1000000"), CultureInfo.InvariantCulture);
var output = Option("--out", Path.Combine("bench", "results", $"image-hashes-{DateTime.UtcNow:yyyy-MM-dd}.md"));
const int Side = 28;
const int Threshold = 8;

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}
string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

Line("# Perceptual image hashes and Hamming grouping");
Line("");
Line(F($"Command: `dotnet run -c Release --project bench/LabelHub.Bench.ImageHashes -- --images {imageCount} --hashes {hashCount}`"));
Line(F($"Machine: {Environment.ProcessorCount} logical cores (shared), {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; one thread throughout."));
Line("");

var pixels = ReadImages("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", imageCount);

// 1. Hashing from luminance (the Domain's work alone).
var luminance = new float[Side * Side];
var pHashes = new ulong[imageCount];
var dHashes = new ulong[imageCount];
var watch = Stopwatch.StartNew();
for (var i = 0; i < imageCount; i++)
{
    for (var p = 0; p < luminance.Length; p++)
    {
        luminance[p] = pixels[(i * Side * Side) + p];
    }
    pHashes[i] = PerceptualHash.PHash(luminance, Side, Side);
    dHashes[i] = PerceptualHash.DHash(luminance, Side, Side);
}
var hashSeconds = watch.Elapsed.TotalSeconds;
Line("## Hashing");
Line("");
Line("| path | images | seconds | images / s |");
Line("|---|---:|---:|---:|");
Line(F($"| luminance → dHash + pHash (Domain only) | {imageCount:N0} | {hashSeconds:0.00} | {imageCount / hashSeconds:N0} |"));

// 2. Through SkiaSharp: PNG bytes decoded, then hashed (what a cleansing job does per item); and a 640 × 480 JPEG.
var pngs = Enumerable.Range(0, Math.Min(imageCount, 10_000)).Select(i => Png(pixels.AsSpan(i * Side * Side, Side * Side))).ToArray();
watch.Restart();
foreach (var png in pngs)
{
    _ = ImageLuminance.Hash(png);
}
var pngSeconds = watch.Elapsed.TotalSeconds;
Line(F($"| 28 × 28 PNG → SkiaSharp decode → dHash + pHash | {pngs.Length:N0} | {pngSeconds:0.00} | {pngs.Length / pngSeconds:N0} |"));
var photo = Photo();
const int PhotoCount = 300;
watch.Restart();
for (var i = 0; i < PhotoCount; i++)
{
    _ = ImageLuminance.Hash(photo);
}
var photoSeconds = watch.Elapsed.TotalSeconds;
Line(F($"| 1600 × 1200 JPEG (decoded at ≥ 256 px short side) → dHash + pHash | {PhotoCount:N0} | {photoSeconds:0.00} | {PhotoCount / photoSeconds:N0} |"));
Line("");

// 3. Near-duplicates among the real images.
Line(F($"## Near-duplicates among {imageCount:N0} Fashion-MNIST training images"));
Line("");
Line("Groups: `Group` (connected components, chains) unless marked 'around representatives' (`GroupAroundRepresentatives`).");
Line("");
Line("| hash, threshold | pairs within | groups | items in groups | seconds |");
Line("|---|---:|---:|---:|---:|");
foreach (var (name, hashes) in new[] { ("pHash", pHashes), ("dHash", dHashes) })
{
    foreach (var other in new[] { 4, 6, 10 })
    {
        var within = 0L;
        HammingGrouping.ForEachPair(hashes, other, (_, _) => within++);
        var lowerGroups = HammingGrouping.Group(hashes.Select((h, i) => new HashedItem(i, h)).ToArray(), other);
        Line(F($"| {name} ≤ {other} | {within:N0} | {lowerGroups.Count:N0} | {lowerGroups.Sum(g => g.Length):N0} (largest {(lowerGroups.Count == 0 ? 0 : lowerGroups.Max(g => g.Length)):N0}) | |"));
    }
    watch.Restart();
    var pairs = 0L;
    HammingGrouping.ForEachPair(hashes, Threshold, (_, _) => pairs++);
    var pairSeconds = watch.Elapsed.TotalSeconds;
    var groups = HammingGrouping.Group(hashes.Select((h, i) => new HashedItem(i, h)).ToArray(), Threshold);
    Line(F($"| {name} ≤ {Threshold} | {pairs:N0} | {groups.Count:N0} | {groups.Sum(g => g.Length):N0} (largest {(groups.Count == 0 ? 0 : groups.Max(g => g.Length)):N0}) | {pairSeconds:0.00} (pairs) |"));
    watch.Restart();
    var around = HammingGrouping.GroupAroundRepresentatives(hashes.Select((h, i) => new HashedItem(i, h)).ToArray(), Threshold);
    var aroundSeconds = watch.Elapsed.TotalSeconds;
    Line(F($"| {name} ≤ {Threshold}, around representatives | | {around.Count:N0} | {around.Sum(g => g.ItemIds.Length):N0} (largest {(around.Count == 0 ? 0 : around.Max(g => g.ItemIds.Length)):N0}) | {aroundSeconds:0.00} (grouping) |"));
}
Line("");
// Where to put the threshold: copies (downscaled ×0.75 and re-encoded as JPEG 60, through SkiaSharp) against
// random pairs of different images.
var random = new Random(7);
var copyCount = Math.Min(pngs.Length, 2_000);
var copyP = new int[65];
var copyD = new int[65];
for (var i = 0; i < copyCount; i++)
{
    var original = ImageLuminance.Hash(pngs[i]);
    var copy = ImageLuminance.Hash(DownscaledJpeg(pngs[i]));
    copyP[BitOperations.PopCount(original.PHash ^ copy.PHash)]++;
    copyD[BitOperations.PopCount(original.DHash ^ copy.DHash)]++;
}
const int RandomPairs = 100_000;
var otherP = new int[65];
var otherD = new int[65];
for (var k = 0; k < RandomPairs; k++)
{
    var a = random.Next(imageCount);
    var b = (a + 1 + random.Next(imageCount - 1)) % imageCount;
    otherP[BitOperations.PopCount(pHashes[a] ^ pHashes[b])]++;
    otherD[BitOperations.PopCount(dHashes[a] ^ dHashes[b])]++;
}
Line(F($"Share within each threshold: {copyCount:N0} copies (×0.75, JPEG 60) of their originals, and {RandomPairs:N0} random pairs of different training images."));
Line("");
Line("| threshold | pHash: copies within | pHash: different pairs within | dHash: copies within | dHash: different pairs within |");
Line("|---:|---:|---:|---:|---:|");
foreach (var t in new[] { 2, 4, 6, 8, 10, 12, 14, 16 })
{
    Line(F($"| {t} | {(double)copyP[..(t + 1)].Sum() / copyCount:P1} | {(double)otherP[..(t + 1)].Sum() / RandomPairs:P2} | {(double)copyD[..(t + 1)].Sum() / copyCount:P1} | {(double)otherD[..(t + 1)].Sum() / RandomPairs:P2} |"));
}
Line(F($"- copies: pHash max {Array.FindLastIndex(copyP, c => c > 0)}, dHash max {Array.FindLastIndex(copyD, c => c > 0)}; different pairs: pHash min {Array.FindIndex(otherP, c => c > 0)}, dHash min {Array.FindIndex(otherD, c => c > 0)}"));
Line("");

// 4. Grouping a million hashes: uniformly random ones, 10 % of them copies of another with 0–6 bits flipped.
Line(F($"## Grouping {hashCount:N0} hashes (threshold {Threshold})"));
Line("");
var million = new ulong[hashCount];
var planted = 0;
for (var i = 0; i < hashCount; i++)
{
    if (i > 0 && random.Next(10) == 0)
    {
        var hash = million[random.Next(i)];
        for (var f = random.Next(7); f > 0; f--)
        {
            hash ^= 1UL << random.Next(64);
        }
        million[i] = hash;
        planted++;
    }
    else
    {
        million[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
    }
}
var items = million.Select((h, i) => new HashedItem(i, h)).ToArray();
var blocks = HammingGrouping.ChooseBlocks(hashCount, Threshold);
watch.Restart();
var millionGroups = HammingGrouping.Group(items, Threshold);
var groupSeconds = watch.Elapsed.TotalSeconds;
Line(F($"- {planted:N0} planted copies; {blocks} blocks of ~{64 / Math.Max(blocks, 1)} bits (radius {Threshold / Math.Max(blocks, 1)} per block)."));
Line(F($"- `HammingGrouping.Group`: {groupSeconds:0.0} s, {millionGroups.Count:N0} groups holding {millionGroups.Sum(g => g.Length):N0} items."));
Line(F($"- All-pairs comparison would be {(double)hashCount * (hashCount - 1) / 2:0.00e0} distance computations."));
Line("");

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, report.ToString());
Console.WriteLine($"Written to {output}");

static byte[] ReadImages(string path, int count)
{
    using var file = File.OpenRead(path);
    using var gzip = new GZipStream(file, CompressionMode.Decompress);
    var header = new byte[16];
    gzip.ReadExactly(header);
    if (BinaryPrimitives.ReadInt32BigEndian(header) != 0x0803 || BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)) < count)
    {
        throw new InvalidDataException($"{path} is not an IDX image file with {count} images.");
    }
    var data = new byte[count * Side * Side];
    gzip.ReadExactly(data);
    return data;
}

static byte[] Png(ReadOnlySpan<byte> gray)
{
    using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque));
    System.Runtime.InteropServices.Marshal.Copy(gray.ToArray(), 0, bitmap.GetPixels(), Side * Side);
    using var image = SKImage.FromBitmap(bitmap);
    using var data = image.Encode(SKEncodedImageFormat.Png, 100);
    return data.ToArray();
}

static byte[] DownscaledJpeg(byte[] png)
{
    using var source = SKBitmap.Decode(png);
    using var resized = source.Resize(new SKImageInfo(21, 21, SKColorType.Rgba8888, SKAlphaType.Premul), SKFilterQuality.High);
    using var image = SKImage.FromBitmap(resized);
    using var data = image.Encode(SKEncodedImageFormat.Jpeg, 60);
    return data.ToArray();
}

static byte[] Photo()
{
    using var bitmap = new SKBitmap(new SKImageInfo(1600, 1200, SKColorType.Rgba8888, SKAlphaType.Premul));
    using (var canvas = new SKCanvas(bitmap))
    {
        using var background = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(1600, 1200), [SKColors.SkyBlue, SKColors.DarkGreen], SKShaderTileMode.Clamp) };
        canvas.DrawRect(0, 0, 1600, 1200, background);
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            using var paint = new SKPaint { Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)), IsAntialias = true };
            canvas.DrawCircle(random.Next(1600), random.Next(1200), random.Next(5, 80), paint);
        }
    }
    using var image = SKImage.FromBitmap(bitmap);
    using var data = image.Encode(SKEncodedImageFormat.Jpeg, 85);
    return data.ToArray();
}
