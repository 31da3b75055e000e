using System.Diagnostics;
using System.Runtime.InteropServices;
using LabelHub.Domain.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelHub.Workers.Learning;

/// <summary>
/// A small TorchSharp classifier for one project: trained on its labeled items, scoring the rest. Every call runs
/// synchronously on the calling thread, because TorchSharp's dispose scopes are thread-static.
/// </summary>
public sealed class Classifier : IDisposable
{
    private const string FileMagic = "LabelHub.Classifier";
    private const int FileVersion = 1;

    // A fixed seed for the MC dropout masks: scoring the same model twice gives the same BALD scores.
    private const ulong McDropoutSeed = 0x5EED_BA1D;

    private readonly ClassifierNetwork network;
    private readonly Device device;
    private bool disposed;

    private Classifier(ClassifierSpec spec, ClassifierNetwork network, Device device)
    {
        Spec = spec;
        this.network = network;
        this.device = device;
    }

    public ClassifierSpec Spec { get; }

    public int EmbeddingSize => network.EmbeddingSize;

    /// <summary>A new network with weights drawn from <paramref name="seed"/> (PyTorch's default initialisation).</summary>
    public static Classifier Create(ClassifierSpec spec, int seed)
    {
        var network = Build(spec);
        try
        {
            Initialise(network, seed);
            return Place(spec, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adam on cross-entropy over mini-batches shuffled from <see cref="TrainingOptions.Seed"/>; stops when the
    /// validation loss has not improved for <see cref="TrainingOptions.Patience"/> epochs and keeps the weights of
    /// the best epoch. Without validation samples it trains every epoch and keeps the last weights.
    /// </summary>
    public TrainingReport Train(Dataset train, Dataset validation, TrainingOptions options, Action<EpochMetrics>? onEpoch, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        CheckSamples(train, nameof(train), labelsRequired: true);
        CheckSamples(validation, nameof(validation), labelsRequired: true);
        if (train.Count == 0)
        {
            throw new ArgumentException("Training needs at least one labeled sample.", nameof(train));
        }
        if (options.MaxEpochs < 1 || options.BatchSize < 1 || options.Patience < 1 || !(options.LearningRate > 0) || !(options.WeightDecay >= 0) || options.ShiftPixels < 0)
        {
            throw new ArgumentException($"Training options out of range: {options}.", nameof(options));
        }

        var total = Stopwatch.StartNew();
        var epochs = new List<EpochMetrics>();
        var order = Enumerable.Range(0, train.Count).ToArray();
        var shuffle = new Random(options.Seed);
        // Shifts draw from their own generator, so turning them on leaves the batch order as it was.
        var shifts = options.ShiftPixels > 0 && Spec.Kind == ModelKind.ImageCnn ? new Random(options.Seed ^ 0x51F7) : null;
        // One buffer for every batch's inputs (the tensor takes a copy): a new one per batch would be 200 KB for 28 × 28
        // images, on the large object heap, and hundreds of them per training drive gen2 collections.
        var batchFeatures = new float[Math.Min(options.BatchSize, train.Count) * train.SampleSize];
        using var dropout = new Generator(unchecked((ulong)options.Seed), device);
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        Dictionary<string, Tensor>? best = null;
        var bestEpoch = 0;
        var bestLoss = double.PositiveInfinity;
        var bestAccuracy = double.NaN;
        try
        {
            for (var epoch = 1; epoch <= options.MaxEpochs; epoch++)
            {
                ct.ThrowIfCancellationRequested();
                var timer = Stopwatch.StartNew();
                shuffle.Shuffle(order);
                network.train();
                var lossSum = 0.0;
                for (var start = 0; start < order.Length; start += options.BatchSize)
                {
                    ct.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var batch = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start));
                    var (inputs, targets) = Batch(train, batch, batchFeatures, shifts, options.ShiftPixels);
                    optimizer.zero_grad();
                    var trunkMask = network.DropsTrunk ? DropoutMask([batch.Length, network.TrunkSize], dropout) : null;
                    var embeddingMask = DropoutMask([batch.Length, network.EmbeddingSize], dropout);
                    var logits = network.Logits(network.Embed(network.Trunk(inputs), trunkMask), embeddingMask);
                    var loss = nn.functional.cross_entropy(logits, targets);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>() * batch.Length;
                }
                var (validationLoss, validationAccuracy) = Evaluate(validation, ct);
                var metrics = new EpochMetrics(epoch, lossSum / train.Count, validationLoss, validationAccuracy, timer.Elapsed.TotalSeconds);
                epochs.Add(metrics);
                onEpoch?.Invoke(metrics);
                if (validation.Count == 0)
                {
                    bestEpoch = epoch;
                    continue;
                }
                if (validationLoss < bestLoss)
                {
                    bestLoss = validationLoss;
                    bestAccuracy = validationAccuracy;
                    bestEpoch = epoch;
                    DisposeAll(best);
                    best = Snapshot();
                }
                else if (epoch - bestEpoch >= options.Patience)
                {
                    break;
                }
            }
            if (best is not null)
            {
                Restore(best);
            }
        }
        finally
        {
            DisposeAll(best);
        }
        return new TrainingReport(epochs, bestEpoch, bestAccuracy, validation.Count == 0 ? double.NaN : bestLoss, total.Elapsed.TotalSeconds, train.Count, validation.Count);
    }

    /// <summary>
    /// Probabilities and embeddings with dropout off and batch norm in eval. With <paramref name="mcSamples"/> > 0
    /// also that many passes with dropout sampled (batch norm still in eval), for BALD. Each pass is one draw of the
    /// weights (one dropout mask shared by every item, as in MC dropout's reading as sampling networks), so the
    /// trunk before the first dropout is computed once per item and all passes run as one batched product after it.
    /// </summary>
    public Scores Score(Dataset items, int mcSamples = 0, int batchSize = 1024, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(mcSamples);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckSamples(items, nameof(items), labelsRequired: false);

        var classCount = Spec.ClassCount;
        var embeddingSize = network.EmbeddingSize;
        var probabilities = new float[(long)items.Count * classCount];
        var embeddings = new float[(long)items.Count * embeddingSize];
        var mcProbabilities = mcSamples > 0 ? new float[(long)mcSamples * items.Count * classCount] : null;
        network.eval();
        using var noGrad = no_grad();
        using var masksScope = NewDisposeScope();
        using var mcDropout = new Generator(McDropoutSeed, device);
        var trunkMasks = mcSamples > 0 && network.DropsTrunk ? DropoutMask([mcSamples, 1, network.TrunkSize], mcDropout) : null;
        var embeddingMasks = mcSamples > 0 ? DropoutMask([mcSamples, 1, embeddingSize], mcDropout) : null;
        for (var start = 0; start < items.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, items.Count - start);
            var trunk = network.Trunk(Inputs(items, start, count));
            var embedding = network.Embed(trunk, null);
            CopyOut(embedding, embeddings.AsSpan(start * embeddingSize, count * embeddingSize));
            CopyOut(nn.functional.softmax(network.Logits(embedding, null), 1), probabilities.AsSpan(start * classCount, count * classCount));
            if (mcSamples == 0)
            {
                continue;
            }
            // [T, 1, width] masks broadcast over [1, count, width] activations: every pass in one product.
            var sampledEmbedding = network.DropsTrunk ? network.Embed(trunk.unsqueeze(0), trunkMasks) : embedding.unsqueeze(0);
            // Without dropout (rate 0) there are no masks and every pass is the same one.
            var sampled = nn.functional.softmax(network.Logits(sampledEmbedding, embeddingMasks), -1).expand(mcSamples, count, classCount);
            for (var sample = 0; sample < mcSamples; sample++)
            {
                CopyOut(sampled[sample], mcProbabilities.AsSpan(((sample * items.Count) + start) * classCount, count * classCount));
            }
        }
        return new Scores(probabilities, classCount, mcProbabilities, mcSamples, embeddings, embeddingSize);
    }

    /// <summary>Writes a header naming the architecture, then TorchSharp's state-dict format.</summary>
    public void Save(Stream stream)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(FileMagic);
        writer.Write(FileVersion);
        writer.Write(Architecture(Spec));
        network.save(writer);
        writer.Flush();
    }

    /// <summary>A classifier saved by <see cref="Save"/>; the spec must describe the same architecture.</summary>
    public static Classifier Load(ClassifierSpec spec, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var network = Build(spec);
        try
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            string magic;
            try
            {
                magic = reader.ReadString();
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                throw new InvalidDataException("This is not a saved LabelHub classifier.", e);
            }
            if (magic != FileMagic)
            {
                throw new InvalidDataException("This is not a saved LabelHub classifier.");
            }
            var version = reader.ReadInt32();
            if (version != FileVersion)
            {
                throw new InvalidDataException($"Saved classifier format {version} is not supported (this build reads {FileVersion}).");
            }
            var saved = reader.ReadString();
            if (saved != Architecture(spec))
            {
                throw new InvalidDataException($"The saved classifier is {saved}; the spec asks for {Architecture(spec)}.");
            }
            network.load(reader);
            return Place(spec, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            network.Dispose();
        }
    }

    private static ClassifierNetwork Build(ClassifierSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.InputShape);
        if (spec.ClassCount < 2)
        {
            throw new ArgumentException($"A classifier needs at least 2 classes; got {spec.ClassCount}.", nameof(spec));
        }
        if (spec.DropoutRate is < 0 or >= 1 || double.IsNaN(spec.DropoutRate))
        {
            throw new ArgumentException($"Dropout rate must be in [0, 1); got {spec.DropoutRate}.", nameof(spec));
        }
        if (spec.InputShape.Any(size => size <= 0))
        {
            throw new ArgumentException($"Input sizes are positive; got [{string.Join(", ", spec.InputShape)}].", nameof(spec));
        }
        return spec.Kind switch
        {
            ModelKind.ImageCnn => spec.InputShape is [var channels, >= 4 and var height, >= 4 and var width]
                ? new ConvNetwork(channels, height, width, spec.ClassCount)
                : throw new ArgumentException($"An image CNN takes [channels, height, width] of at least 4×4 pixels; got [{string.Join(", ", spec.InputShape)}].", nameof(spec)),
            ModelKind.TextMlp or ModelKind.RecordMlp => spec.InputShape is [var size]
                ? new MlpNetwork(size, spec.ClassCount)
                : throw new ArgumentException($"An MLP takes one feature vector [D]; got [{string.Join(", ", spec.InputShape)}].", nameof(spec)),
        };
    }

    private static string Architecture(ClassifierSpec spec) =>
        $"{spec.Kind} [{string.Join(",", spec.InputShape)}] → {spec.ClassCount}";

    private static Classifier Place(ClassifierSpec spec, ClassifierNetwork network)
    {
        var device = torch.device(spec.Device);
        network.to(device);
        network.eval();
        return new Classifier(spec, network, device);
    }

    /// <summary>
    /// PyTorch's default for linear and convolution layers, U(±1/√fan-in) for weights and biases, drawn from a
    /// generator of our own so the same seed always gives the same weights whatever else uses torch's global one.
    /// </summary>
    private static void Initialise(ClassifierNetwork network, int seed)
    {
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            var (weight, bias) = module switch
            {
                TorchSharp.Modules.Linear linear => (linear.weight, linear.bias),
                TorchSharp.Modules.Conv2d conv => (conv.weight, conv.bias),
                _ => (null, null),
            };
            if (weight is null)
            {
                continue;
            }
            var fanIn = weight.shape.Skip(1).Aggregate(1L, (product, size) => product * size);
            var bound = 1 / Math.Sqrt(fanIn);
            weight.uniform_(-bound, bound, generator);
            bias?.uniform_(-bound, bound, generator);
        }
    }

    private void CheckSamples(Dataset samples, string name, bool labelsRequired)
    {
        if (!samples.SampleShape.SequenceEqual(Spec.InputShape))
        {
            throw new ArgumentException($"Samples of shape [{string.Join(", ", samples.SampleShape)}] do not fit a classifier for [{string.Join(", ", Spec.InputShape)}].", name);
        }
        var classCount = Spec.ClassCount;
        if (samples.Labels.Any(label => label >= classCount || (labelsRequired && label < 0)))
        {
            throw new ArgumentException(labelsRequired
                ? $"Every sample needs a class between 0 and {classCount - 1}."
                : $"Labels are -1 or a class between 0 and {classCount - 1}.", name);
        }
    }

    private (double Loss, double Accuracy) Evaluate(Dataset validation, CancellationToken ct)
    {
        if (validation.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        network.eval();
        var lossSum = 0.0;
        long correct = 0;
        using (no_grad())
        {
            const int EvaluationBatch = 1024;
            for (var start = 0; start < validation.Count; start += EvaluationBatch)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var count = Math.Min(EvaluationBatch, validation.Count - start);
                var logits = network.forward(Inputs(validation, start, count));
                var targets = Targets(validation.Labels.AsSpan(start, count));
                lossSum += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(targets).sum().item<long>();
            }
        }
        return (lossSum / validation.Count, (double)correct / validation.Count);
    }

    private (Tensor Inputs, Tensor Targets) Batch(Dataset samples, ReadOnlySpan<int> indices, float[] buffer, Random? shifts, int shiftPixels)
    {
        var size = samples.SampleSize;
        var features = buffer.AsSpan(0, indices.Length * size);
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var destination = features.Slice(i * size, size);
            if (shifts is null)
            {
                samples.Sample(indices[i]).CopyTo(destination);
            }
            else
            {
                var shape = Spec.InputShape;
                ImageShift.Translate(samples.Sample(indices[i]), destination, shape[0], shape[1], shape[2],
                    shifts.Next(-shiftPixels, shiftPixels + 1), shifts.Next(-shiftPixels, shiftPixels + 1));
            }
            labels[i] = samples.Labels[indices[i]];
        }
        return (ToTensor(features, indices.Length), Targets(labels));
    }

    private Tensor Inputs(Dataset samples, int start, int count) =>
        ToTensor(samples.Features.AsSpan(start * samples.SampleSize, count * samples.SampleSize), count);

    private Tensor ToTensor(Span<float> features, int count)
    {
        var shape = new long[Spec.InputShape.Length + 1];
        shape[0] = count;
        for (var i = 0; i < Spec.InputShape.Length; i++)
        {
            shape[i + 1] = Spec.InputShape[i];
        }
        var tensor = empty(shape, ScalarType.Float32);
        tensor.bytes = MemoryMarshal.AsBytes(features);
        return device.type == DeviceType.CPU ? tensor : tensor.to(device);
    }

    private Tensor Targets(ReadOnlySpan<int> labels)
    {
        var targets = empty(labels.Length, ScalarType.Int64);
        var values = new long[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            values[i] = labels[i];
        }
        targets.bytes = MemoryMarshal.AsBytes(values.AsSpan());
        return device.type == DeviceType.CPU ? targets : targets.to(device);
    }

    /// <summary>Inverted dropout: each entry is 1/keep with probability keep, else 0; null when the rate is 0.</summary>
    private Tensor? DropoutMask(long[] shape, Generator generator)
    {
        if (Spec.DropoutRate == 0)
        {
            return null;
        }
        var keep = 1 - Spec.DropoutRate;
        return rand(shape, device: device, generator: generator).lt(keep).to(ScalarType.Float32).div_(keep);
    }

    private static void CopyOut(Tensor values, Span<float> destination)
    {
        var source = values.device_type == DeviceType.CPU ? values.contiguous() : values.cpu().contiguous();
        MemoryMarshal.Cast<byte, float>(source.bytes).CopyTo(destination);
    }

    private Dictionary<string, Tensor> Snapshot()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return network.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.clone().DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    private void Restore(Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in network.state_dict())
        {
            tensor.copy_(snapshot[name]);
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (var tensor in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }
}
