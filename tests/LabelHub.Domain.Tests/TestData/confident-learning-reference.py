#!/usr/bin/env python3
"""Reference values for LabelHub's ConfidentLearning (src/LabelHub.Domain/Cleansing/ConfidentLearning.cs).

An independent numpy implementation of confident learning as published by Northcutt, Jiang and Chuang (JAIR 2021)
and implemented in cleanlab (count.get_confident_thresholds, count.compute_confident_joint,
count.calibrate_confident_joint, internal.util.round_preserving_sum, filter._keep_at_least_n_per_class,
filter._prune_by_count, filter._prune_by_class, count._reduce_issues), run on a fixed random case.

Run offline with Debian's python3-numpy:
    python3 tests/LabelHub.Domain.Tests/TestData/confident-learning-reference.py > tests/LabelHub.Domain.Tests/TestData/confident-learning-reference.json

Two deliberate choices, both about ties only: sorts are stable (kind="stable"), and sums run left to right in plain
Python, so that the C# (which does the same) is compared without numpy's pairwise summation order in the way.
"""
import json
import numpy as np

FLOATING_POINT_COMPARISON = 1e-6
CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON
TINY_VALUE = 1e-100


def seq_sum(values):
    total = 0.0
    for v in values:
        total += float(v)
    return total


def confident_thresholds(labels, pred_probs):
    k = pred_probs.shape[1]
    big = 2 * pred_probs.max()
    t = []
    for j in range(k):
        members = pred_probs[labels == j, j]
        t.append(seq_sum(members) / len(members) if len(members) else big)
    return np.clip(np.array(t), CONFIDENT_THRESHOLDS_LOWER_BOUND, None)


def confident_joint(labels, pred_probs, thresholds):
    k = pred_probs.shape[1]
    confident = pred_probs >= thresholds - 1e-6
    count = confident.sum(axis=1)
    guess = np.where(count > 1, pred_probs.argmax(axis=1), confident.argmax(axis=1))
    cj = np.zeros((k, k), dtype=int)
    off = []
    for x in range(len(labels)):
        if count[x] > 0:
            cj[labels[x], guess[x]] += 1
            if guess[x] != labels[x]:
                off.append(x)
    np.fill_diagonal(cj, cj.diagonal().clip(min=1))
    return cj, off


def round_preserving_sum(floats):
    floats = np.asarray(floats, dtype=float)
    ints = floats.round()
    orig_sum = np.round(seq_sum(floats))
    int_sum = np.round(seq_sum(ints))
    while abs(int_sum - orig_sum) > FLOATING_POINT_COMPARISON:
        diff = np.round(orig_sum - int_sum)
        increment = -1 if diff < 0 else 1
        changes = min(int(abs(diff)), len(floats))
        order = np.argsort(floats - ints, kind="stable")[::-increment][:changes]
        for i in order:
            ints[i] += increment
        int_sum = np.round(seq_sum(ints))
    return ints.astype(int)


def calibrate(cj, label_counts):
    k = len(cj)
    scaled = np.zeros((k, k))
    for i in range(k):
        row = seq_sum(cj[i])
        for j in range(k):
            scaled[i, j] = cj[i, j] / max(row, TINY_VALUE) * label_counts[i]
    total = seq_sum(scaled.flatten())
    n = seq_sum(label_counts)
    out = np.zeros((k, k), dtype=int)
    for i in range(k):
        out[i] = round_preserving_sum([scaled[i, j] / max(total, TINY_VALUE) * n for j in range(k)])
    return out


def keep_at_least_n(calibrated, n):
    """cleanlab's _keep_at_least_n_per_class with frac_noise = 1, indexed [given, true] (cleanlab transposes)."""
    pcm = calibrated.T.astype(float)
    diag = np.diagonal(pcm).copy()
    new_diag = np.maximum(diag, n)
    rise = new_diag - diag
    per_col = np.maximum(np.count_nonzero(pcm, axis=0) - 1.0, 1.0)
    new = pcm - rise / per_col
    new[new < 0] = 0
    np.fill_diagonal(new, new_diag)
    return new.astype(int).T


def prune_by_noise_rate(labels, pred_probs, prune, label_counts, min_examples):
    k = pred_probs.shape[1]
    mask = np.zeros(len(labels), dtype=bool)
    for given in range(k):
        if label_counts[given] <= min_examples:
            continue
        members = labels == given
        for truth in range(k):
            count = prune[given, truth]
            if truth == given or count <= 0:
                continue
            margin = pred_probs[:, truth] - pred_probs[:, given]
            cut = -np.partition(-margin[members], count - 1)[count - 1]
            mask |= members & (margin >= cut)
    return mask


def prune_by_class(labels, pred_probs, prune, label_counts, min_examples):
    k = pred_probs.shape[1]
    mask = np.zeros(len(labels), dtype=bool)
    for given in range(k):
        if label_counts[given] <= min_examples:
            continue
        count = label_counts[given] - prune[given, given]
        if count <= 0:
            continue
        members = labels == given
        probs = pred_probs[:, given]
        rank = np.partition(probs[members], count)[count]
        mask |= members & (probs < rank)
    return mask


def given_label_predicted(labels, pred_probs):
    nudged = pred_probs.copy()
    nudged[np.arange(len(labels)), labels] += FLOATING_POINT_COMPARISON
    return nudged.argmax(axis=1) == labels


def main():
    rng = np.random.default_rng(20211)
    n, k, flips = 200, 4, 20
    truth = rng.integers(0, k, size=n)
    # A model that is right most of the time, confuses 0 with 1 and 2 with 3 more than the others.
    logits = rng.normal(0.0, 1.0, size=(n, k))
    logits[np.arange(n), truth] += 2.5
    confusable = np.array([1, 0, 3, 2])
    logits[np.arange(n), confusable[truth]] += 1.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = truth.copy()
    flipped = np.sort(rng.choice(n, size=flips, replace=False))
    for x in flipped:
        labels[x] = (truth[x] + rng.integers(1, k)) % k

    label_counts = np.bincount(labels, minlength=k)
    thresholds = confident_thresholds(labels, probs)
    cj, off = confident_joint(labels, probs, thresholds)
    calibrated = calibrate(cj, label_counts)
    prune = keep_at_least_n(calibrated, 1)
    keep = given_label_predicted(labels, probs)
    by_noise = prune_by_noise_rate(labels, probs, prune, label_counts, 1) & ~keep
    by_class = prune_by_class(labels, probs, prune, label_counts, 1) & ~keep
    both = prune_by_noise_rate(labels, probs, prune, label_counts, 1) & prune_by_class(labels, probs, prune, label_counts, 1) & ~keep
    off_mask = np.zeros(n, dtype=bool)
    off_mask[off] = True
    off_mask &= ~keep

    self_confidence = probs[np.arange(n), labels]
    others = probs.copy()
    others[np.arange(n), labels] = -np.inf
    margin = self_confidence - others.max(axis=1)
    issues = np.flatnonzero(by_noise)

    out = {
        "source": "tests/LabelHub.Domain.Tests/TestData/confident-learning-reference.py (numpy, cleanlab's published algorithm)",
        "classes": k,
        "labels": labels.tolist(),
        "true_labels": truth.tolist(),
        "flipped": flipped.tolist(),
        "probabilities": [[float(v) for v in row] for row in probs],
        "thresholds": [float(t) for t in thresholds],
        "confident_joint": cj.tolist(),
        "calibrated_joint": calibrated.tolist(),
        "confident_joint_off_diagonal": [int(x) for x in off],
        "issues": {
            "prune_by_noise_rate": np.flatnonzero(by_noise).tolist(),
            "prune_by_class": np.flatnonzero(by_class).tolist(),
            "both": np.flatnonzero(both).tolist(),
            "confident_joint_off_diagonal": np.flatnonzero(off_mask).tolist(),
        },
        "prune_by_noise_rate_ranked": {
            "self_confidence": issues[np.lexsort((issues, self_confidence[issues]))].tolist(),
            "normalized_margin": issues[np.lexsort((issues, margin[issues]))].tolist(),
        },
        "suggested_labels": {str(int(x)): int(probs[x].argmax()) for x in issues},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
