using System.Diagnostics;
using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Learning;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Synthesis;

/// <summary>
/// Generates images with a trained generator into its project as synthetic items (issue 16): image i of the job, in the
/// order of the generator's classes, is generated alone from seed <see cref="GenerateParameters.Seed"/> + i, so its
/// item's generator, class and seed reproduce it. Items are stored pending in short batches and revealed at the end
/// (<see cref="SynthesisData"/>); a failed or cancelled job leaves nothing, and a re-run after a restart either finishes
/// revealing what was stored or makes the items again.
/// </summary>
public sealed class SyntheticGeneration(SynthesisData data, ILearningRuntime runtime, TorchThread torch, ILogger<SyntheticGeneration> logger)
{
    public async Task<GenerateResult> RunAsync(Guid jobRunId, GenerateParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var generator = await data.GeneratorAsync(parameters.GeneratorId, ct);
        if (generator.ProjectId != parameters.ProjectId)
        {
            throw new NotFoundException("Generator");
        }
        if (!GeneratorInfo.Of(generator, 0).CanGenerate)
        {
            throw new ValidationException("version", $"{generator.Name} cannot generate: only a trained, healthy generator can.");
        }
        var plan = Plan(generator, parameters);
        var perClass = generator.Labels.Where(l => parameters.PerClass.GetValueOrDefault(l) > 0).ToDictionary(l => l, l => parameters.PerClass[l], StringComparer.Ordinal);
        if (await data.ResumeGenerationAsync(jobRunId, ct) is { } stored)
        {
            return new GenerateResult(generator.Version, stored, perClass, clock.Elapsed.TotalSeconds);
        }
        try
        {
            await progress.ReportAsync(0.01, $"Generating {plan.Count:N0} images", ct);
            await GenerateAsync(jobRunId, generator, plan, parameters.Seed, progress, ct);
            await progress.ReportAsync(0.97, "Making the synthetic items available to annotators", ct);
            var items = await data.RevealSyntheticItemsAsync(jobRunId, ct);
            var result = new GenerateResult(generator.Version, items, perClass, clock.Elapsed.TotalSeconds);
            logger.LogInformation("{Summary}", result.Summary());
            return result;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: the re-run after the restart removes what is pending and starts again.
            throw;
        }
        catch
        {
            // Failed or cancelled: nothing of it stays behind.
            await data.RemoveSyntheticItemsAsync(jobRunId, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The class of each image to make, class by class in the generator's order; image i gets seed Seed + i.</summary>
    private static List<int> Plan(Domain.Synthesis.Generator generator, GenerateParameters parameters)
    {
        foreach (var (label, count) in parameters.PerClass)
        {
            if (!generator.Labels.Contains(label, StringComparer.Ordinal))
            {
                throw new ValidationException("perClass", $"'{label}' is not a class of {generator.Name}.");
            }
            if (count < 0)
            {
                throw new ValidationException("perClass", $"The count for '{label}' is negative.");
            }
        }
        var plan = generator.Labels.SelectMany((label, index) => Enumerable.Repeat(index, parameters.PerClass.GetValueOrDefault(label))).ToList();
        if (plan.Count is 0 or > GenerateRequest.MaxPerJob)
        {
            throw new ValidationException("perClass", $"Generate 1 to {GenerateRequest.MaxPerJob:N0} images per job.");
        }
        return plan;
    }

    private async Task GenerateAsync(Guid jobRunId, Domain.Synthesis.Generator generator, List<int> plan, long seed, IJobProgress progress, CancellationToken ct)
    {
        var weights = await data.WeightsAsync(generator, ct);
        var settings = generator.Settings;
        var spec = new GanSpec(generator.ImageSide, generator.Channels, generator.Labels.Count, settings.LatentSize, settings.Width, runtime.Availability.Device ?? "cpu");
        var gan = await torch.RunAsync(() =>
        {
            using var stream = new MemoryStream(weights, writable: false);
            return ConditionalGan.LoadGenerator(spec, stream);
        }, ct);
        try
        {
            for (var start = 0; start < plan.Count; start += SynthesisData.ItemBatch)
            {
                var count = Math.Min(SynthesisData.ItemBatch, plan.Count - start);
                var first = start;
                var pixels = await torch.RunAsync(() => Enumerable.Range(first, count).Select(i => gan.Generate([plan[i]], seed + i)).ToList(), ct);
                var samples = pixels.Select((image, k) => new SyntheticSample(generator.Labels[plan[first + k]], seed + first + k, SamplePng.Encode(image, spec.Channels, spec.Side))).ToList();
                await data.AddSyntheticItemsAsync(generator.ProjectId, jobRunId, generator, samples, ct);
                var done = first + count;
                await progress.ReportAsync(0.02 + (0.95 * done / plan.Count), $"Generated {done:N0} of {plan.Count:N0} images", ct);
            }
        }
        finally
        {
            await torch.RunAsync(() =>
            {
                gan.Dispose();
                return true;
            }, CancellationToken.None);
        }
    }
}
