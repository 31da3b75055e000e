using LabelHub.Workers.Learning;
using LabelHub.Workers.Synthesis;

namespace LabelHub.Workers.Tests.Synthesis;

public sealed class GanCheckpointTests
{
    private static readonly GanSpec Spec = new(28, 1, FashionMnistImages.ClassCount, Width: 32);
    private static readonly GanOptions Options = new(BatchSize: 32, Seed: 4);

    [Fact]
    public void Resuming_from_a_saved_state_trains_the_same_epoch_as_not_stopping()
    {
        var images = FashionMnistImages.Range(0, 200);
        int[] labels = [.. Enumerable.Range(0, 10)];
        using var uninterrupted = ConditionalGan.Create(Spec, Options);
        uninterrupted.TrainEpoch(images, CancellationToken.None);
        using var checkpoint = new MemoryStream();
        uninterrupted.SaveState(checkpoint);
        var expected = uninterrupted.TrainEpoch(images, CancellationToken.None);

        checkpoint.Position = 0;
        using var resumed = ConditionalGan.LoadState(Spec, Options, checkpoint);
        Assert.Equal(1, resumed.EpochsDone);
        var actual = resumed.TrainEpoch(images, CancellationToken.None);

        Assert.Equal(2, resumed.EpochsDone);
        Assert.Equal((expected.DiscriminatorLoss, expected.GeneratorLoss, expected.RealScore, expected.FakeScore), (actual.DiscriminatorLoss, actual.GeneratorLoss, actual.RealScore, actual.FakeScore));
        Assert.Equal(uninterrupted.Generate(labels, seed: 9), resumed.Generate(labels, seed: 9));
    }

    [Fact]
    public void A_full_state_also_loads_as_a_generator()
    {
        using var gan = ConditionalGan.Create(Spec, Options);
        gan.TrainEpoch(FashionMnistImages.Range(0, 64), CancellationToken.None);
        using var state = new MemoryStream();
        gan.SaveState(state);
        state.Position = 0;

        using var generator = ConditionalGan.LoadGenerator(Spec, state);

        Assert.Equal(gan.Generate([3, 1, 4], seed: 2), generator.Generate([3, 1, 4], seed: 2));
        Assert.Equal(1, generator.EpochsDone);
    }

    [Fact]
    public void The_same_seed_trains_the_same_gan()
    {
        var images = FashionMnistImages.Range(200, 100);
        using var first = ConditionalGan.Create(Spec, Options);
        using var second = ConditionalGan.Create(Spec, Options);

        var a = first.TrainEpoch(images, CancellationToken.None);
        var b = second.TrainEpoch(images, CancellationToken.None);

        Assert.Equal(a with { Seconds = 0 }, b with { Seconds = 0 });
    }

    [Fact]
    public void Resuming_with_other_options_is_refused()
    {
        using var gan = ConditionalGan.Create(Spec, Options);
        using var state = new MemoryStream();
        gan.SaveState(state);
        state.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => ConditionalGan.LoadState(Spec, Options with { Seed = 5 }, state));
        Assert.Contains("seed 4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(28, 1, 16)]
    [InlineData(32, 3, 16)]
    [InlineData(64, 3, 16)]
    [InlineData(64, 1, 32)]
    public void Every_supported_size_trains_and_generates_images_of_its_shape(int side, int channels, int width)
    {
        var spec = new GanSpec(side, channels, ClassCount: 3, LatentSize: 16, Width: width);
        var random = new Random(side + channels);
        var images = new Dataset([.. Enumerable.Range(0, 6 * spec.SampleSize).Select(_ => random.NextSingle())], [channels, side, side], [0, 1, 2, 0, 1, 2]);
        using var gan = ConditionalGan.Create(spec, new GanOptions(BatchSize: 4));

        var metrics = gan.TrainEpoch(images, CancellationToken.None);
        var pixels = gan.Generate([2, 0], seed: 1);

        Assert.True(double.IsFinite(metrics.DiscriminatorLoss) && double.IsFinite(metrics.GeneratorLoss), metrics.ToString());
        Assert.Equal(2 * channels * side * side, pixels.Length);
        Assert.All(pixels, pixel => Assert.InRange(pixel, 0f, 1f));
    }

    [Fact]
    public void Unsupported_specs_and_mismatched_images_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ConditionalGan.Create(new GanSpec(48, 1, 2), new GanOptions()));
        Assert.Throws<ArgumentException>(() => ConditionalGan.Create(new GanSpec(28, 2, 2), new GanOptions()));
        Assert.Throws<ArgumentException>(() => ConditionalGan.Create(new GanSpec(64, 1, 2, Width: 20), new GanOptions()));
        Assert.Throws<ArgumentException>(() => ConditionalGan.Create(new GanSpec(28, 1, 2), new GanOptions(BatchSize: 1)));
        using var gan = ConditionalGan.Create(new GanSpec(28, 1, 2, Width: 16), new GanOptions());
        Assert.Throws<ArgumentException>(() => gan.TrainEpoch(new Dataset(new float[2 * 32 * 32], [1, 32, 32], [0, 1]), CancellationToken.None));
        Assert.Throws<ArgumentException>(() => gan.TrainEpoch(new Dataset(new float[2 * 28 * 28], [1, 28, 28], [0, 2]), CancellationToken.None));
        Assert.Throws<ArgumentException>(() => gan.Generate([0, 2], seed: 1));
    }
}
