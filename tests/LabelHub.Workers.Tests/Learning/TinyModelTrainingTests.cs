using LabelHub.Workers.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelHub.Workers.Tests.Learning;

/// <summary>TorchSharp trains in this build: a two-layer network on a linearly separable set, on the CPU.</summary>
public sealed class TinyModelTrainingTests
{
    [Fact]
    public void A_small_network_fits_a_linearly_separable_set()
    {
        var runtime = new TorchRuntime(new TorchSettings(Environment.ProcessorCount, "cpu"), new RecordingLogger<TorchRuntime>());
        Assert.True(runtime.Availability.Available, runtime.Availability.Reason);

        using var scope = NewDisposeScope();
        manual_seed(7);
        var points = randn(400, 2);
        var labels = (points.matmul(tensor(new[] { 1.5f, -2f })) + 0.3f > 0).to_type(ScalarType.Float32).unsqueeze(1);
        using var model = nn.Sequential(("hidden", nn.Linear(2, 8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 1)));
        using var loss = nn.BCEWithLogitsLoss();
        var optimizer = optim.Adam(model.parameters(), lr: 0.05);

        var before = Accuracy(model, points, labels);
        for (var step = 0; step < 200; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            loss.forward(model.forward(points), labels).backward();
            optimizer.step();
        }
        var after = Accuracy(model, points, labels);

        Assert.True(after >= 0.95, $"training accuracy {after:P1} (untrained {before:P1})");
    }

    private static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor points, Tensor labels)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var predicted = (model.forward(points) > 0).to_type(ScalarType.Float32);
        return predicted.eq(labels).to_type(ScalarType.Float32).mean().item<float>();
    }
}
