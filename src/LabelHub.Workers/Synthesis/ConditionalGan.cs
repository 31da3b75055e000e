using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using LabelHub.Workers.Learning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LabelHub.Workers.Synthesis;

/// <summary>
/// A class-conditional DCGAN (Radford, Metz &amp; Chintala 2015) for one project's images. Every call runs synchronously
/// on the calling thread (TorchSharp's dispose scopes are thread-static): post it to <see cref="TorchThread"/>.
/// Callers see pixels in [0, 1]; inside, images are in [-1, 1] to match the generator's Tanh.
/// </summary>
public sealed class ConditionalGan : IDisposable
{
    private const string GeneratorMagic = "LabelHub.GanGenerator";
    private const string StateMagic = "LabelHub.GanState";
    private const int FileVersion = 1;

    // Generation runs in batches of this many: bounded memory whatever N, and eval-mode batch norm makes each sample
    // independent of the batch it is in.
    private const int GenerationBatch = 256;

    private readonly GanGenerator generator;
    private readonly GanDiscriminator? discriminator;
    private readonly Adam? generatorOptimizer;
    private readonly Adam? discriminatorOptimizer;
    private readonly Device device;
    private bool disposed;

    private ConditionalGan(GanSpec spec, GanOptions options, GanGenerator generator, GanDiscriminator? discriminator, Device device)
    {
        Spec = spec;
        Options = options;
        this.generator = generator;
        this.discriminator = discriminator;
        this.device = device;
        if (discriminator is not null)
        {
            generatorOptimizer = optim.Adam(generator.parameters(), options.LearningRate, options.Beta1, 0.999);
            discriminatorOptimizer = optim.Adam(discriminator.parameters(), options.LearningRate, options.Beta1, 0.999);
        }
    }

    public GanSpec Spec { get; }

    public GanOptions Options { get; }

    public int EpochsDone { get; private set; }

    /// <summary>False for a generator loaded by <see cref="LoadGenerator"/>: it generates but cannot train.</summary>
    public bool CanTrain => discriminator is not null;

    /// <summary>
    /// New networks: convolution weights from N(0, 0.02), batch norm scales from N(1, 0.02) and shifts 0 (the DCGAN
    /// paper's initialisation), class embeddings from N(0, 1), all drawn from a generator seeded with
    /// <see cref="GanOptions.Seed"/>.
    /// </summary>
    public static ConditionalGan Create(GanSpec spec, GanOptions options)
    {
        Check(spec, options);
        var (g, d) = (new GanGenerator(spec), new GanDiscriminator(spec));
        try
        {
            Initialise(g, d, options.Seed);
            return Place(spec, options, g, d);
        }
        catch
        {
            g.Dispose();
            d.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One pass over <paramref name="images"/> in mini-batches: a discriminator step (real images → 1, generated → 0,
    /// binary cross-entropy on logits), then a generator step (its images → 1, the non-saturating loss), both with
    /// Adam. Batch order and noise follow from the seed and the epoch number alone, so an epoch after
    /// <see cref="LoadState"/> is the epoch an uninterrupted run would have trained. A trailing batch of one image
    /// is left out (batch norm needs two). A cancelled epoch leaves the weights part-way through it and does not count:
    /// resume from the last <see cref="SaveState"/>.
    /// </summary>
    public GanEpochMetrics TrainEpoch(Dataset images, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(images);
        if (discriminator is null || generatorOptimizer is null || discriminatorOptimizer is null)
        {
            throw new InvalidOperationException("This GAN was loaded for generation only; load its full state to train it.");
        }
        CheckImages(images);

        var timer = Stopwatch.StartNew();
        var epoch = EpochsDone + 1;
        var order = Enumerable.Range(0, images.Count).ToArray();
        new Random(EpochSeed(Options.Seed, epoch)).Shuffle(order);
        using var noise = new Generator(unchecked((ulong)EpochSeed(Options.Seed ^ 0x6A11, epoch)), device);
        var batchSize = Math.Min(Options.BatchSize, images.Count);
        var buffer = new float[batchSize * images.SampleSize];
        generator.train();
        discriminator.train();
        var sums = new double[4];
        var counted = 0;
        for (var start = 0; start + 2 <= order.Length; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start));
            var (real, labels) = Batch(images, batch, buffer);
            var stepMetrics = Step(real, labels, noise);
            for (var i = 0; i < sums.Length; i++)
            {
                sums[i] += stepMetrics[i] * batch.Length;
            }
            counted += batch.Length;
        }
        EpochsDone = epoch;
        return new GanEpochMetrics(epoch, sums[0] / counted, sums[1] / counted, sums[2] / counted, sums[3] / counted, timer.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One training step on a batch already in [-1, 1]: returns D loss, G loss, mean D(x), mean D(G(z)).
    /// bench/LabelHub.Bench.Synthesis/gan_step.py mirrors it step for step.
    /// </summary>
    internal float[] Step(Tensor real, Tensor labels, Generator noise)
    {
        var count = real.shape[0];
        var z = randn([count, Spec.LatentSize], device: device, generator: noise);
        var ones = torch.ones(count, device: device);
        var zeros = torch.zeros(count, device: device);

        discriminatorOptimizer!.zero_grad();
        var realLogits = discriminator!.forward(real, labels);
        var fake = generator.forward(z, labels);
        var fakeLogits = discriminator.forward(fake.detach(), labels);
        var discriminatorLoss = nn.functional.binary_cross_entropy_with_logits(realLogits, ones)
            + nn.functional.binary_cross_entropy_with_logits(fakeLogits, zeros);
        discriminatorLoss.backward();
        discriminatorOptimizer.step();

        generatorOptimizer!.zero_grad();
        var generatorLoss = nn.functional.binary_cross_entropy_with_logits(discriminator.forward(fake, labels), ones);
        generatorLoss.backward();
        generatorOptimizer.step();

        // One read back for the four figures instead of four synchronisations.
        var figures = stack([discriminatorLoss.detach(), generatorLoss.detach(), realLogits.detach().sigmoid().mean(), fakeLogits.detach().sigmoid().mean()]).cpu();
        return figures.data<float>().ToArray();
    }

    /// <summary>
    /// One image per entry of <paramref name="labels"/>, n × C × H × W floats in [0, 1], with batch norm in eval mode.
    /// The noise comes from <paramref name="seed"/> alone: the same seed and labels give the same images.
    /// </summary>
    public float[] Generate(IReadOnlyList<int> labels, long seed)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Any(label => label < 0 || label >= Spec.ClassCount))
        {
            throw new ArgumentException($"Every label is a class between 0 and {Spec.ClassCount - 1}.", nameof(labels));
        }
        var size = Spec.SampleSize;
        var pixels = new float[(long)labels.Count * size];
        if (labels.Count == 0)
        {
            return pixels;
        }
        generator.eval();
        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        using var noise = new Generator(unchecked((ulong)seed), device);
        // All the noise first, so a sample's noise does not depend on the batching.
        var z = randn([labels.Count, Spec.LatentSize], device: device, generator: noise);
        var targets = Targets(labels);
        for (var start = 0; start < labels.Count; start += GenerationBatch)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(GenerationBatch, labels.Count - start);
            var images = generator.forward(z.narrow(0, start, count), targets.narrow(0, start, count));
            var scaled = images.add(1).div_(2).clamp_(0, 1).cpu().contiguous();
            MemoryMarshal.Cast<byte, float>(scaled.bytes).CopyTo(pixels.AsSpan(start * size, count * size));
        }
        return pixels;
    }

    /// <summary>The generator alone (what generating needs): a header naming the architecture, the epochs trained, its weights.</summary>
    public void SaveGenerator(Stream stream)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        WriteHeader(writer, GeneratorMagic);
        generator.save(writer);
        writer.Flush();
    }

    /// <summary>A generator saved by <see cref="SaveGenerator"/> (or <see cref="SaveState"/>), for generation only.</summary>
    public static ConditionalGan LoadGenerator(GanSpec spec, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var options = new GanOptions();
        Check(spec, options);
        var g = new GanGenerator(spec);
        try
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            var (magic, epochs) = ReadHeader(reader, spec, GeneratorMagic, StateMagic);
            if (magic == StateMagic)
            {
                ReadOptions(reader);
            }
            g.load(reader);
            var gan = Place(spec, options, g, null);
            gan.EpochsDone = epochs;
            return gan;
        }
        catch
        {
            g.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Everything training needs to go on: the options, the epochs done, both networks (batch norm statistics included)
    /// and both Adam states. Batch order and noise are drawn afresh from the seed at each epoch, so the epoch count is
    /// the whole random-number position.
    /// </summary>
    public void SaveState(Stream stream)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        if (discriminator is null)
        {
            throw new InvalidOperationException("This GAN was loaded for generation only; it has no training state to save.");
        }
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        WriteHeader(writer, StateMagic);
        writer.Write(OptionsText(Options));
        generator.save(writer);
        discriminator.save(writer);
        generatorOptimizer!.save_state_dict(writer);
        discriminatorOptimizer!.save_state_dict(writer);
        writer.Flush();
    }

    /// <summary>
    /// A GAN saved by <see cref="SaveState"/>, ready to train its next epoch. The options must be the ones it was saved
    /// with: a different seed, batch size or learning rate would make the resumed run differ from an uninterrupted one.
    /// </summary>
    public static ConditionalGan LoadState(GanSpec spec, GanOptions options, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Check(spec, options);
        var (g, d) = (new GanGenerator(spec), new GanDiscriminator(spec));
        ConditionalGan? gan = null;
        try
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            var (_, epochs) = ReadHeader(reader, spec, StateMagic);
            var saved = ReadOptions(reader);
            if (saved != OptionsText(options))
            {
                throw new InvalidDataException($"The saved GAN was trained with {saved}; resuming it with {OptionsText(options)} would not continue the same run.");
            }
            g.load(reader);
            d.load(reader);
            gan = Place(spec, options, g, d);
            gan.generatorOptimizer!.load_state_dict(reader);
            gan.discriminatorOptimizer!.load_state_dict(reader);
            gan.EpochsDone = epochs;
            return gan;
        }
        catch
        {
            if (gan is not null)
            {
                gan.Dispose();
            }
            else
            {
                g.Dispose();
                d.Dispose();
            }
            throw;
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        generatorOptimizer?.Dispose();
        discriminatorOptimizer?.Dispose();
        generator.Dispose();
        discriminator?.Dispose();
    }

    /// <summary>Images in [-1, 1] and int64 labels for <paramref name="indices"/> of <paramref name="images"/>.</summary>
    internal (Tensor Images, Tensor Labels) Batch(Dataset images, ReadOnlySpan<int> indices, float[] buffer)
    {
        var size = images.SampleSize;
        var features = buffer.AsSpan(0, indices.Length * size);
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            images.Sample(indices[i]).CopyTo(features.Slice(i * size, size));
            labels[i] = images.Labels[indices[i]];
        }
        var tensor = empty([indices.Length, Spec.Channels, Spec.Side, Spec.Side], ScalarType.Float32);
        tensor.bytes = MemoryMarshal.AsBytes(features);
        var placed = device.type == DeviceType.CPU ? tensor : tensor.to(device);
        return (placed.mul_(2).sub_(1), Targets(labels));
    }

    internal void CheckImages(Dataset images)
    {
        if (images.SampleShape is not [var c, var h, var w] || c != Spec.Channels || h != Spec.Side || w != Spec.Side)
        {
            throw new ArgumentException($"Images of shape [{string.Join(", ", images.SampleShape)}] do not fit a GAN for [{Spec.Channels}, {Spec.Side}, {Spec.Side}].", nameof(images));
        }
        if (images.Count < 2)
        {
            throw new ArgumentException("Training a GAN needs at least two images (batch norm needs two per batch).", nameof(images));
        }
        if (images.Labels.Any(label => label < 0 || label >= Spec.ClassCount))
        {
            throw new ArgumentException($"Every image needs a class between 0 and {Spec.ClassCount - 1}.", nameof(images));
        }
    }

    private Tensor Targets(IReadOnlyList<int> labels)
    {
        var values = new long[labels.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = labels[i];
        }
        var targets = tensor(values, ScalarType.Int64);
        return device.type == DeviceType.CPU ? targets : targets.to(device);
    }

    // A distinct, reproducible seed per (seed, epoch); System.Random with a seed is stable across .NET versions.
    private static int EpochSeed(int seed, int epoch) => unchecked((seed * 1_000_003) + epoch);

    private static void Check(GanSpec spec, GanOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        spec.Validate();
        if (options.BatchSize < 2 || !(options.LearningRate > 0) || options.Beta1 is < 0 or >= 1 || double.IsNaN(options.Beta1))
        {
            throw new ArgumentException($"GAN options out of range (batch of at least 2, a positive learning rate, β1 in [0, 1)): {options}.", nameof(options));
        }
    }

    private static ConditionalGan Place(GanSpec spec, GanOptions options, GanGenerator g, GanDiscriminator? d)
    {
        var device = torch.device(spec.Device);
        g.to(device);
        d?.to(device);
        return new ConditionalGan(spec, options, g, d, device);
    }

    private static void Initialise(GanGenerator g, GanDiscriminator d, int seed)
    {
        using var random = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        foreach (var network in new nn.Module[] { g, d })
        {
            foreach (var (_, module) in network.named_modules())
            {
                switch (module)
                {
                    case ConvTranspose2d up:
                        up.weight!.normal_(0, 0.02, random);
                        break;
                    case Conv2d conv:
                        conv.weight!.normal_(0, 0.02, random);
                        break;
                    case BatchNorm2d norm:
                        norm.weight!.normal_(1, 0.02, random);
                        norm.bias!.zero_();
                        break;
                    case Embedding embedding:
                        embedding.weight!.normal_(0, 1, random);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private void WriteHeader(BinaryWriter writer, string magic)
    {
        writer.Write(magic);
        writer.Write(FileVersion);
        writer.Write(Spec.Architecture);
        writer.Write(EpochsDone);
    }

    private static (string Magic, int Epochs) ReadHeader(BinaryReader reader, GanSpec spec, params string[] magics)
    {
        string magic;
        try
        {
            magic = reader.ReadString();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new InvalidDataException("This is not a saved LabelHub GAN.", e);
        }
        if (!magics.Contains(magic, StringComparer.Ordinal))
        {
            if (magic == GeneratorMagic)
            {
                throw new InvalidDataException("This file holds only a generator; training needs the full state (SaveState).");
            }
            throw new InvalidDataException("This is not a saved LabelHub GAN.");
        }
        var version = reader.ReadInt32();
        if (version != FileVersion)
        {
            throw new InvalidDataException($"Saved GAN format {version} is not supported (this build reads {FileVersion}).");
        }
        var architecture = reader.ReadString();
        if (architecture != spec.Architecture)
        {
            throw new InvalidDataException($"The saved GAN is a {architecture}; the spec asks for a {spec.Architecture}.");
        }
        return (magic, reader.ReadInt32());
    }

    private static string ReadOptions(BinaryReader reader) => reader.ReadString();

    private static string OptionsText(GanOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"batch {options.BatchSize}, learning rate {options.LearningRate:R}, beta1 {options.Beta1:R}, seed {options.Seed}");
}
