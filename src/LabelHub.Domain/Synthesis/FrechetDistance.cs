namespace LabelHub.Domain.Synthesis;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al. 2017's FID when the features
/// come from an image network): |μa − μb|² + Tr(Ca) + Tr(Cb) − 2 Tr((Ca Cb)^½). Pure managed code, no linear-algebra
/// library: Tr((Ca Cb)^½) equals Tr((Ca^½ Cb Ca^½)^½), a symmetric positive semi-definite matrix, so two symmetric
/// eigen-decompositions (cyclic Jacobi) give it without the complex square root scipy's sqrtm goes through.
/// </summary>
public static class FrechetDistance
{
    // Jacobi stops when the off-diagonal mass is this small relative to the whole matrix: float features give no more.
    private const double Tolerance = 1e-14;
    private const int MaxSweeps = 100;

    /// <summary>The Fréchet distance; covariances are dim × dim, row-major, symmetric positive semi-definite.</summary>
    public static double Between(double[] meanA, double[] covA, double[] meanB, double[] covB, int dim)
    {
        ArgumentNullException.ThrowIfNull(meanA);
        ArgumentNullException.ThrowIfNull(covA);
        ArgumentNullException.ThrowIfNull(meanB);
        ArgumentNullException.ThrowIfNull(covB);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (meanA.Length != dim || meanB.Length != dim || covA.Length != dim * dim || covB.Length != dim * dim)
        {
            throw new ArgumentException($"Means of {dim} values and {dim} × {dim} covariances expected; got {meanA.Length}, {meanB.Length}, {covA.Length} and {covB.Length} values.");
        }
        var meanTerm = 0.0;
        for (var i = 0; i < dim; i++)
        {
            var difference = meanA[i] - meanB[i];
            meanTerm += difference * difference;
        }
        var traceA = 0.0;
        var traceB = 0.0;
        for (var i = 0; i < dim; i++)
        {
            traceA += covA[(i * dim) + i];
            traceB += covB[(i * dim) + i];
        }
        var rootA = SquareRoot(covA, dim);
        var product = Multiply(Multiply(rootA, covB, dim), rootA, dim);
        Symmetrise(product, dim);
        var (eigenvalues, _) = SymmetricEigen(product, dim, withVectors: false);
        // Rounding leaves tiny negative eigenvalues where the true ones are zero.
        var traceRoot = eigenvalues.Sum(value => Math.Sqrt(Math.Max(value, 0)));
        return Math.Max(0, meanTerm + traceA + traceB - (2 * traceRoot));
    }

    /// <summary>The mean and the unbiased covariance (n − 1, as numpy's cov) of <paramref name="count"/> rows of <paramref name="dim"/> values.</summary>
    public static (double[] Mean, double[] Cov) Moments(ReadOnlySpan<float> rows, int count, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (rows.Length != (long)count * dim)
        {
            throw new ArgumentException($"{count} rows of {dim} values need {(long)count * dim} floats; got {rows.Length}.", nameof(rows));
        }
        var mean = new double[dim];
        for (var r = 0; r < count; r++)
        {
            var row = rows.Slice(r * dim, dim);
            for (var i = 0; i < dim; i++)
            {
                mean[i] += row[i];
            }
        }
        for (var i = 0; i < dim; i++)
        {
            mean[i] /= count;
        }
        var cov = new double[dim * dim];
        var centred = new double[dim];
        for (var r = 0; r < count; r++)
        {
            var row = rows.Slice(r * dim, dim);
            for (var i = 0; i < dim; i++)
            {
                centred[i] = row[i] - mean[i];
            }
            for (var i = 0; i < dim; i++)
            {
                var ci = centred[i];
                if (ci == 0)
                {
                    continue;
                }
                var target = cov.AsSpan(i * dim, dim);
                for (var j = i; j < dim; j++)
                {
                    target[j] += ci * centred[j];
                }
            }
        }
        for (var i = 0; i < dim; i++)
        {
            for (var j = i; j < dim; j++)
            {
                var value = cov[(i * dim) + j] / (count - 1);
                cov[(i * dim) + j] = value;
                cov[(j * dim) + i] = value;
            }
        }
        return (mean, cov);
    }

    /// <summary>The symmetric square root V diag(√λ) Vᵀ, negative eigenvalues (rounding) taken as zero.</summary>
    internal static double[] SquareRoot(double[] symmetric, int dim)
    {
        var (values, vectors) = SymmetricEigen(symmetric, dim, withVectors: true);
        var root = new double[dim * dim];
        for (var k = 0; k < dim; k++)
        {
            var scale = Math.Sqrt(Math.Max(values[k], 0));
            if (scale == 0)
            {
                continue;
            }
            for (var i = 0; i < dim; i++)
            {
                var vik = vectors![(i * dim) + k] * scale;
                if (vik == 0)
                {
                    continue;
                }
                for (var j = 0; j < dim; j++)
                {
                    root[(i * dim) + j] += vik * vectors[(j * dim) + k];
                }
            }
        }
        return root;
    }

    /// <summary>
    /// Cyclic Jacobi: rotations zero each off-diagonal element in turn until the off-diagonal mass is negligible.
    /// Returns the eigenvalues and, when asked, the eigenvectors as the columns of a row-major matrix.
    /// </summary>
    internal static (double[] Values, double[]? Vectors) SymmetricEigen(double[] symmetric, int dim, bool withVectors)
    {
        var a = (double[])symmetric.Clone();
        double[]? v = null;
        if (withVectors)
        {
            v = new double[dim * dim];
            for (var i = 0; i < dim; i++)
            {
                v[(i * dim) + i] = 1;
            }
        }
        var total = 0.0;
        foreach (var value in a)
        {
            total += value * value;
        }
        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < dim; p++)
            {
                for (var q = p + 1; q < dim; q++)
                {
                    off += a[(p * dim) + q] * a[(p * dim) + q];
                }
            }
            if (off <= Tolerance * total || off == 0)
            {
                break;
            }
            for (var p = 0; p < dim - 1; p++)
            {
                for (var q = p + 1; q < dim; q++)
                {
                    Rotate(a, v, dim, p, q);
                }
            }
        }
        var values = new double[dim];
        for (var i = 0; i < dim; i++)
        {
            values[i] = a[(i * dim) + i];
        }
        return (values, v);
    }

    // One Jacobi rotation in the (p, q) plane that zeroes a[p, q] (Golub & Van Loan's symmetric Schur step).
    private static void Rotate(double[] a, double[]? v, int dim, int p, int q)
    {
        var apq = a[(p * dim) + q];
        if (apq == 0)
        {
            return;
        }
        var app = a[(p * dim) + p];
        var aqq = a[(q * dim) + q];
        var theta = (aqq - app) / (2 * apq);
        var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        if (theta == 0)
        {
            t = 1;
        }
        var c = 1 / Math.Sqrt((t * t) + 1);
        var s = t * c;
        for (var k = 0; k < dim; k++)
        {
            var akp = a[(k * dim) + p];
            var akq = a[(k * dim) + q];
            a[(k * dim) + p] = (c * akp) - (s * akq);
            a[(k * dim) + q] = (s * akp) + (c * akq);
        }
        for (var k = 0; k < dim; k++)
        {
            var apk = a[(p * dim) + k];
            var aqk = a[(q * dim) + k];
            a[(p * dim) + k] = (c * apk) - (s * aqk);
            a[(q * dim) + k] = (s * apk) + (c * aqk);
        }
        if (v is null)
        {
            return;
        }
        for (var k = 0; k < dim; k++)
        {
            var vkp = v[(k * dim) + p];
            var vkq = v[(k * dim) + q];
            v[(k * dim) + p] = (c * vkp) - (s * vkq);
            v[(k * dim) + q] = (s * vkp) + (c * vkq);
        }
    }

    private static double[] Multiply(double[] left, double[] right, int dim)
    {
        var result = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            var row = result.AsSpan(i * dim, dim);
            for (var k = 0; k < dim; k++)
            {
                var lik = left[(i * dim) + k];
                if (lik == 0)
                {
                    continue;
                }
                var other = right.AsSpan(k * dim, dim);
                for (var j = 0; j < dim; j++)
                {
                    row[j] += lik * other[j];
                }
            }
        }
        return result;
    }

    private static void Symmetrise(double[] matrix, int dim)
    {
        for (var i = 0; i < dim; i++)
        {
            for (var j = i + 1; j < dim; j++)
            {
                var mean = (matrix[(i * dim) + j] + matrix[(j * dim) + i]) / 2;
                matrix[(i * dim) + j] = mean;
                matrix[(j * dim) + i] = mean;
            }
        }
    }
}
