#!/usr/bin/python3
"""Writes frechet-reference.json: reference values for FrechetDistance (tests/LabelHub.Domain.Tests/Synthesis).

Computed the way pytorch-fid's calculate_frechet_distance does (numpy moments, scipy.linalg.sqrtm of the covariance
product, its real part), independently of the C# code under test. Debian's python3-numpy and python3-scipy:
/usr/bin/python3 frechet-reference.py
"""
import json

import numpy as np
from scipy import linalg

rng = np.random.default_rng(20261205)


def frechet(mu1, sigma1, mu2, sigma2):
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


cases = []
# (name, rows A, rows B, dim): full-rank, a shifted and stretched B, and fewer rows than dimensions (singular covariances).
for name, count_a, count_b, dim, scale, shift in [
    ("small-full-rank", 50, 60, 3, 1.0, 0.5),
    ("stretched", 400, 300, 16, 2.0, 0.1),
    ("singular", 20, 30, 40, 1.0, 1.0),
    ("wide", 150, 120, 64, 1.3, 0.2),
]:
    mixing_a = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    mixing_b = rng.normal(size=(dim, dim)) / np.sqrt(dim) * scale
    # Rounded to 4 decimals so the JSON stays small; the reference is computed from the rounded values.
    a = np.round(rng.normal(size=(count_a, dim)) @ mixing_a, 4).astype(np.float32)
    b = np.round(rng.normal(size=(count_b, dim)) @ mixing_b + shift, 4).astype(np.float32)
    mu_a, cov_a = a.astype(np.float64).mean(axis=0), np.cov(a.astype(np.float64), rowvar=False)
    mu_b, cov_b = b.astype(np.float64).mean(axis=0), np.cov(b.astype(np.float64), rowvar=False)
    cases.append({
        "name": name, "dim": dim, "count_a": count_a, "count_b": count_b,
        "rows_a": [round(float(x), 4) for x in a.flatten()], "rows_b": [round(float(x), 4) for x in b.flatten()],
        "mean_a": mu_a.tolist(), "cov_a": cov_a.flatten().tolist(),
        "distance": frechet(mu_a, cov_a, mu_b, cov_b),
        "distance_to_itself": frechet(mu_a, cov_a, mu_a, cov_a),
    })

with open("frechet-reference.json", "w") as out:
    json.dump({"source": "frechet-reference.py (numpy " + np.__version__ + ", scipy.linalg.sqrtm)", "cases": cases}, out)
