using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>Items turned into model input; <see cref="ItemIds"/> names each row. Items that could not be read are left out and counted.</summary>
public sealed record EncodedItems(Dataset Dataset, long[] ItemIds, int Skipped, string? FirstProblem);

/// <summary>
/// How a project's items become model input, fitted once per model and stored with it (<see cref="ModelInput"/>),
/// so a model scores new items exactly the way it was trained: images decoded and resized, text hashed into word and
/// character n-grams, records encoded field by field.
/// </summary>
public sealed class FeatureEncoder
{
    /// <summary>Hashed text features: 4,096 buckets keep the MLP's first layer small enough to score 100,000 items in seconds.</summary>
    public const int TextDimension = 1 << 12;

    private const int ImageSample = 64;

    /// <summary>Keys that identify or describe a record rather than carry what it is about.</summary>
    private static readonly HashSet<string> RecordKeysToSkip =
        new(["id", "_id", "uuid", MediaUrls.ImageKey, MediaUrls.FileNameKey, MediaUrls.WidthKey, MediaUrls.HeightKey], StringComparer.OrdinalIgnoreCase);

    private readonly TextHashingFeatures? text;
    private readonly RecordFeatures? record;

    private FeatureEncoder(ModelKind kind, ModelInput input)
    {
        Kind = kind;
        Input = input;
        switch (kind)
        {
            case ModelKind.TextMlp:
                text = new TextHashingFeatures(input.TextDimension);
                break;
            case ModelKind.RecordMlp:
                record = RecordFeatures.FromJson(input.RecordEncoder ?? throw new InvalidOperationException("The model has no record encoder."));
                break;
            case ModelKind.ImageCnn:
                break;
        }
    }

    public ModelKind Kind { get; }

    public ModelInput Input { get; }

    /// <summary>The encoder a stored model was trained with.</summary>
    public static FeatureEncoder For(ModelKind kind, ModelInput input) => new(kind, input);

    /// <summary>Fits the input to the project's data: image size and colour from a sample of its images, record fields from the labeled items.</summary>
    public static async Task<FeatureEncoder> FitAsync(LearningProject project, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> sample, LearningData data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(data);
        switch (project.Kind)
        {
            case ModelKind.ImageCnn:
                var items = sample.Take(ImageSample).Select((d, i) => (Id: (long)i, Data: d)).ToDictionary(p => p.Id, p => p.Data);
                var images = await data.ImagesAsync(project.Project.Id, items, project.SourceKey!, ct);
                var (side, rgb) = ImageTensors.ChooseInput(images.Values);
                return new FeatureEncoder(ModelKind.ImageCnn, new ModelInput { ImageSide = side, Rgb = rgb, SourceKey = project.SourceKey, Shape = [rgb ? 3 : 1, side, side] });
            case ModelKind.TextMlp:
                return new FeatureEncoder(ModelKind.TextMlp, new ModelInput { SourceKey = project.SourceKey, TextDimension = TextDimension, Shape = [TextDimension] });
            case ModelKind.RecordMlp:
                var encoder = RecordFeatures.Fit(sample, RecordKeysToSkip);
                return new FeatureEncoder(ModelKind.RecordMlp, new ModelInput { RecordEncoder = encoder.ToJson(), Shape = [encoder.Dimension] });
        }
        throw new ArgumentOutOfRangeException(nameof(project), project.Kind, "Unknown model kind.");
    }

    /// <summary>Encodes items (with their labels for training, or -1 for scoring). Images are read from the project's stored files.</summary>
    public async Task<EncodedItems> EncodeAsync(
        Guid projectId, IReadOnlyList<(long Id, IReadOnlyDictionary<string, JsonElement> Data)> items, IReadOnlyList<int>? labels, LearningData data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(data);
        var size = Input.Shape.Aggregate(1, (a, b) => a * b);
        var features = new float[items.Count * size];
        var ids = new List<long>(items.Count);
        var kept = new List<int>(items.Count);
        string? problem = null;
        Dictionary<long, byte[]>? images = null;
        if (Kind == ModelKind.ImageCnn)
        {
            images = await data.ImagesAsync(projectId, items.ToDictionary(i => i.Id, i => i.Data), Input.SourceKey!, ct);
        }
        for (var i = 0; i < items.Count; i++)
        {
            var (id, itemData) = items[i];
            var row = features.AsSpan(ids.Count * size, size);
            try
            {
                switch (Kind)
                {
                    case ModelKind.ImageCnn:
                        if (!images!.TryGetValue(id, out var bytes))
                        {
                            problem ??= $"Item {id} has no stored image (images linked by URL are not downloaded by jobs).";
                            continue;
                        }
                        ImageTensors.Decode(bytes, Input.ImageSide, Input.Rgb, row);
                        break;
                    case ModelKind.TextMlp:
                        var value = Input.SourceKey is { } key && itemData.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
                        text!.Encode(value, row);
                        break;
                    case ModelKind.RecordMlp:
                        record!.Encode(itemData, row);
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
            {
                row.Clear();
                problem ??= $"Item {id}: {ex.Message}";
                continue;
            }
            ids.Add(id);
            kept.Add(i);
        }
        if (ids.Count < items.Count)
        {
            Array.Resize(ref features, ids.Count * size);
        }
        var rowLabels = labels is null ? new int[ids.Count].Select(_ => -1).ToArray() : [.. kept.Select(i => labels[i])];
        return new EncodedItems(new Dataset(features, Input.Shape, rowLabels), [.. ids], items.Count - ids.Count, problem);
    }
}
