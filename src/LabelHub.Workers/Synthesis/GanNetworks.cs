using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LabelHub.Workers.Synthesis;

/// <summary>
/// The layer plan both networks share. 28 × 28 starts from a 7 × 7 base and doubles twice; 32 and 64 start from 4 × 4
/// and double three or four times (Radford et al.'s 64 × 64 plan). Channels halve with each doubling from
/// <see cref="GanSpec.Width"/> at the 4 × 4 (or 7 × 7) layer, the widest.
/// </summary>
internal static class GanLayout
{
    /// <summary>The class embedding concatenated with z at the generator's input.</summary>
    public const int LabelEmbeddingSize = 32;

    public static int BaseSide(int side) => side == 28 ? 7 : 4;

    public static int Doublings(int side) => side switch
    {
        28 => 2,
        32 => 3,
        64 => 4,
        _ => throw new ArgumentException($"A GAN's side is 28, 32 or 64; got {side}.", nameof(side)),
    };

    /// <summary>Feature maps at each resolution from the base up: Width, Width/2, …, one per layer before the output.</summary>
    public static int[] Channels(GanSpec spec) =>
        [.. Enumerable.Range(0, Doublings(spec.Side)).Select(level => spec.Width >> level)];
}

/// <summary>
/// z ⊕ embedding(class) as a 1 × 1 map → transposed convolution to the base side → stride-2 transposed convolutions
/// (kernel 4, padding 1) doubling the side, batch norm + ReLU after each but the last, Tanh out ([-1, 1]).
/// No biases: batch norm follows every layer but the output, as in the DCGAN reference implementation.
/// </summary>
internal sealed class GanGenerator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding label;
    private readonly ModuleList<ConvTranspose2d> up;
    private readonly ModuleList<BatchNorm2d> norms;

    public GanGenerator(GanSpec spec)
        : base(nameof(GanGenerator))
    {
        var channels = GanLayout.Channels(spec);
        label = nn.Embedding(spec.ClassCount, GanLayout.LabelEmbeddingSize);
        up = new ModuleList<ConvTranspose2d>();
        norms = new ModuleList<BatchNorm2d>();
        var baseSide = GanLayout.BaseSide(spec.Side);
        up.Add(nn.ConvTranspose2d(spec.LatentSize + GanLayout.LabelEmbeddingSize, channels[0], baseSide, stride: 1, padding: 0, bias: false));
        norms.Add(nn.BatchNorm2d(channels[0]));
        for (var i = 1; i < channels.Length; i++)
        {
            up.Add(nn.ConvTranspose2d(channels[i - 1], channels[i], 4, stride: 2, padding: 1, bias: false));
            norms.Add(nn.BatchNorm2d(channels[i]));
        }
        up.Add(nn.ConvTranspose2d(channels[^1], spec.Channels, 4, stride: 2, padding: 1, bias: false));
        RegisterComponents();
    }

    /// <param name="z">n × LatentSize noise.</param>
    /// <param name="labels">n class indices (int64).</param>
    public override Tensor forward(Tensor z, Tensor labels)
    {
        var x = cat([z, label.forward(labels)], 1).unsqueeze(-1).unsqueeze(-1);
        for (var i = 0; i < norms.Count; i++)
        {
            x = nn.functional.relu(norms[i].forward(up[i].forward(x)));
        }
        return up[^1].forward(x).tanh();
    }
}

/// <summary>
/// The image (scaled to [-1, 1]) with the class as an extra channel (embedding → side × side map) → stride-2
/// convolutions (kernel 4, padding 1) halving the side down to the base, LeakyReLU 0.2, batch norm on all but the
/// first → a convolution over the whole base map to one logit.
/// </summary>
internal sealed class GanDiscriminator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int side;
    private readonly Embedding label;
    private readonly ModuleList<Conv2d> down;
    private readonly ModuleList<BatchNorm2d> norms;

    public GanDiscriminator(GanSpec spec)
        : base(nameof(GanDiscriminator))
    {
        side = spec.Side;
        var channels = GanLayout.Channels(spec).Reverse().ToArray();
        label = nn.Embedding(spec.ClassCount, spec.Side * spec.Side);
        down = new ModuleList<Conv2d>();
        norms = new ModuleList<BatchNorm2d>();
        down.Add(nn.Conv2d(spec.Channels + 1, channels[0], 4, stride: 2, padding: 1, bias: false));
        for (var i = 1; i < channels.Length; i++)
        {
            down.Add(nn.Conv2d(channels[i - 1], channels[i], 4, stride: 2, padding: 1, bias: false));
            norms.Add(nn.BatchNorm2d(channels[i]));
        }
        down.Add(nn.Conv2d(channels[^1], 1, GanLayout.BaseSide(spec.Side), stride: 1, padding: 0L, bias: false));
        RegisterComponents();
    }

    /// <param name="images">n × C × side × side in [-1, 1].</param>
    /// <returns>n logits.</returns>
    public override Tensor forward(Tensor images, Tensor labels)
    {
        var map = label.forward(labels).view(-1, 1, side, side);
        var x = nn.functional.leaky_relu(down[0].forward(cat([images, map], 1)), 0.2);
        for (var i = 0; i < norms.Count; i++)
        {
            x = nn.functional.leaky_relu(norms[i].forward(down[i + 1].forward(x)), 0.2);
        }
        return down[^1].forward(x).view(-1);
    }
}
