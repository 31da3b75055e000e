namespace LabelHub.Workers.Synthesis;

/// <summary>What to build.</summary>
/// <param name="Side">28, 32 or 64 pixels.</param>
/// <param name="Channels">1 (grayscale) or 3 (RGB).</param>
/// <param name="Width">Feature maps at the widest layer (the generator's first, the discriminator's last); halved at each doubling of the side.</param>
/// <param name="Device">"cpu", or "cuda" where TorchSharp's CUDA natives are present.</param>
public sealed record GanSpec(int Side, int Channels, int ClassCount, int LatentSize = 100, int Width = 64, string Device = "cpu")
{
    /// <summary>Channels × Side × Side: the floats of one sample.</summary>
    public int SampleSize => Channels * Side * Side;

    internal void Validate()
    {
        if (Side is not (28 or 32 or 64))
        {
            throw new ArgumentException($"A GAN's side is 28, 32 or 64; got {Side}.");
        }
        if (Channels is not (1 or 3))
        {
            throw new ArgumentException($"A GAN's images have 1 or 3 channels; got {Channels}.");
        }
        if (ClassCount < 1 || LatentSize < 1)
        {
            throw new ArgumentException($"A GAN needs at least one class and a latent size of at least 1; got {ClassCount} and {LatentSize}.");
        }
        var narrowest = Width >> (GanLayout.Doublings(Side) - 1);
        if (Width < 1 || narrowest < 1 || narrowest << (GanLayout.Doublings(Side) - 1) != Width)
        {
            throw new ArgumentException($"Width {Width} must halve {GanLayout.Doublings(Side) - 1} times for a side of {Side} (a multiple of {1 << (GanLayout.Doublings(Side) - 1)}).");
        }
    }

    internal string Architecture => $"DCGAN side {Side} channels {Channels} classes {ClassCount} latent {LatentSize} width {Width}";
}

/// <param name="Seed">Weights, batch order and noise all follow from it: the same seed trains the same GAN.</param>
public sealed record GanOptions(int BatchSize = 128, double LearningRate = 2e-4, double Beta1 = 0.5, int Seed = 0);

/// <param name="RealScore">Mean D(x) over the epoch's real images (sigmoid of the logit).</param>
/// <param name="FakeScore">Mean D(G(z)) over its generated images, before the discriminator's step.</param>
/// <param name="DiscriminatorLoss">Epoch mean; NaN when training blew up.</param>
public sealed record GanEpochMetrics(int Epoch, double DiscriminatorLoss, double GeneratorLoss, double RealScore, double FakeScore, double Seconds);
