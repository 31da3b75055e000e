using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LabelHub.Workers.Learning;

/// <summary>
/// A classifier split where MC dropout needs it: a deterministic trunk (the costly part, computed once per sample),
/// then the layers that hold dropout. Dropout masks are passed in (already scaled by 1/keep) instead of coming from
/// the module's train mode, so MC sampling keeps batch norm in eval and the caller decides how masks are drawn.
/// </summary>
internal abstract class ClassifierNetwork : nn.Module<Tensor, Tensor>
{
    protected ClassifierNetwork(string name)
        : base(name)
    {
    }

    /// <summary>The width of the trunk's output.</summary>
    public abstract int TrunkSize { get; }

    /// <summary>Whether <see cref="Embed"/> applies dropout to the trunk (the MLP's) or ignores its mask (the CNN's).</summary>
    public abstract bool DropsTrunk { get; }

    public abstract int EmbeddingSize { get; }

    /// <summary>The layers before the first dropout.</summary>
    public abstract Tensor Trunk(Tensor input);

    /// <summary>The penultimate activations; <paramref name="trunkMask"/> (rows × TrunkSize or 1 × TrunkSize) is dropout.</summary>
    public abstract Tensor Embed(Tensor trunk, Tensor? trunkMask);

    /// <summary>The output layer on the embedding times <paramref name="embeddingMask"/>, when given.</summary>
    public abstract Tensor Logits(Tensor embedding, Tensor? embeddingMask);

    public override Tensor forward(Tensor input) => Logits(Embed(Trunk(input), null), null);

    protected static Tensor Masked(Tensor input, Tensor? mask) => mask is null ? input : input * mask;
}

/// <summary>
/// Two 3×3 stride-2 convolutions + batch norm + ReLU (16 and 32 channels; each halves the side), a 128-unit ReLU
/// layer (the embedding), dropout, the output layer. Strided convolutions instead of convolution + max-pool: on two
/// cores libtorch spent most of a pooled network's scoring time in max-pool over full-resolution activations
/// (100,000 28×28 images took about 30 s of CPU; this takes a fraction of that).
/// </summary>
internal sealed class ConvNetwork : ClassifierNetwork
{
    public const int FirstChannels = 16;
    public const int SecondChannels = 32;
    public const int HiddenSize = 128;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d norm1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d norm2;
    private readonly Linear hidden;
    private readonly Linear output;

    public ConvNetwork(int channels, int height, int width, int classCount)
        : base(nameof(ConvNetwork))
    {
        // Batch norm follows each convolution, so a convolution bias would only be cancelled by it.
        conv1 = nn.Conv2d(channels, FirstChannels, kernel_size: 3, stride: 2, padding: 1, bias: false);
        norm1 = nn.BatchNorm2d(FirstChannels);
        conv2 = nn.Conv2d(FirstChannels, SecondChannels, kernel_size: 3, stride: 2, padding: 1, bias: false);
        norm2 = nn.BatchNorm2d(SecondChannels);
        hidden = nn.Linear(SecondChannels * Halved(Halved(height)) * Halved(Halved(width)), HiddenSize);
        output = nn.Linear(HiddenSize, classCount);
        RegisterComponents();
    }

    public override int TrunkSize => HiddenSize;

    public override bool DropsTrunk => false;

    public override int EmbeddingSize => HiddenSize;

    public override Tensor Trunk(Tensor input)
    {
        // Pixels arrive in [0, 1]; centring them here keeps every caller's input the same.
        var x = input * 2 - 1;
        x = nn.functional.relu(norm1.forward(conv1.forward(x)));
        x = nn.functional.relu(norm2.forward(conv2.forward(x)));
        return nn.functional.relu(hidden.forward(x.flatten(1)));
    }

    public override Tensor Embed(Tensor trunk, Tensor? trunkMask) => trunk;

    // A 3×3 convolution with stride 2 and padding 1.
    private static int Halved(int size) => (size + 1) / 2;

    public override Tensor Logits(Tensor embedding, Tensor? embeddingMask) => output.forward(Masked(embedding, embeddingMask));
}

/// <summary>Linear(D→256) + ReLU, dropout, Linear(256→128) + ReLU (the embedding), dropout, the output layer.</summary>
internal sealed class MlpNetwork : ClassifierNetwork
{
    public const int FirstSize = 256;
    public const int HiddenSize = 128;

    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear output;

    public MlpNetwork(int inputSize, int classCount)
        : base(nameof(MlpNetwork))
    {
        input = nn.Linear(inputSize, FirstSize);
        hidden = nn.Linear(FirstSize, HiddenSize);
        output = nn.Linear(HiddenSize, classCount);
        RegisterComponents();
    }

    public override int TrunkSize => FirstSize;

    public override bool DropsTrunk => true;

    public override int EmbeddingSize => HiddenSize;

    public override Tensor Trunk(Tensor features) => nn.functional.relu(input.forward(features));

    public override Tensor Embed(Tensor trunk, Tensor? trunkMask) => nn.functional.relu(hidden.forward(Masked(trunk, trunkMask)));

    public override Tensor Logits(Tensor embedding, Tensor? embeddingMask) => output.forward(Masked(embedding, embeddingMask));
}
