namespace LabelHub.Domain.Learning;

/// <summary>The kind of model a project's data calls for.</summary>
public enum ModelKind
{
    /// <summary>Items with an image: a small CNN on the image resized to a square, grayscale or RGB.</summary>
    ImageCnn,

    /// <summary>Items with text: hashed word and character n-grams into an MLP.</summary>
    TextMlp,

    /// <summary>Items that are records: their fields encoded (numbers standardised, other values hashed) into an MLP.</summary>
    RecordMlp,
}

/// <summary>How a round picks the items annotators should label next.</summary>
public enum SamplingStrategy
{
    /// <summary>Uniformly at random: the baseline every other strategy is measured against.</summary>
    Random,

    /// <summary>1 − the top class probability.</summary>
    LeastConfidence,

    /// <summary>The gap between the two most probable classes (smaller is more uncertain).</summary>
    Margin,

    /// <summary>The entropy of the predicted distribution.</summary>
    Entropy,

    /// <summary>Bayesian active learning by disagreement: mutual information between the prediction and the weights, from MC dropout.</summary>
    Bald,
}
