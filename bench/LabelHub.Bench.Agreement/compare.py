#!/usr/bin/python3
"""The Python side of bench/LabelHub.Bench.Agreement: Debian's statsmodels, NLTK and scikit-learn on the same ratings.

Run by the C# harness with /usr/bin/python3 (only that interpreter sees Debian's python3-* packages). It reads the
ratings the harness wrote (raw little-endian int32, items x raters row-major, category codes 0..K-1, -1 = missing),
times each library call with time.perf_counter (and time.process_time for CPU), and prints one JSON object on stdout
with every value and every run's seconds; progress goes to stderr. It computes nothing itself: the values are the
libraries' own, and the C# side compares them with LabelHub's on exactly the same items.

  statsmodels  fleiss_kappa(aggregate_raters(rows)[0]) on the items every rater rated (statsmodels' fleiss_kappa
               asserts that every subject has the same number of ratings, so items with a missing rating cannot be
               given to it)
  nltk         AnnotationTask([(coder, item, label), ...]).alpha() on the first --nltk-items items (all by default),
               labels = category values 1..K; nominal with NLTK's default binary_distance, and, with --nltk-levels,
               interval with nltk.metrics.distance.interval_distance and ratio with ((a - b) / (a + b))^2
  sklearn      cohen_kappa_score(a[both], b[both]) for every pair of raters, on the items both rated
"""

import argparse
import json
import platform
import sys
import time

import numpy as np


def timed(runs, call):
    """Calls call() runs times; returns its last result and each run's wall and CPU seconds."""
    wall, cpu = [], []
    result = None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = call()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return result, wall, cpu


def log(message):
    print(message, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="raw int32 LE file, items x raters, -1 = missing")
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--raters", type=int, required=True)
    parser.add_argument("--categories", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each fast call (statsmodels, sklearn)")
    parser.add_argument("--nltk-runs", type=int, default=1, help="timed runs of NLTK's nominal alpha")
    parser.add_argument("--nltk-items", type=int, default=0, help="first N items for NLTK (0: all)")
    parser.add_argument("--nltk-levels", default="nominal", help="comma-separated: nominal,interval,ratio")
    parser.add_argument("--skip", default="", help="comma-separated libraries to leave out: statsmodels,nltk,sklearn")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    ratings = np.fromfile(args.data, dtype="<i4")
    if ratings.size != args.items * args.raters:
        raise SystemExit(f"{args.data}: {ratings.size} codes, expected {args.items} x {args.raters}")
    ratings = ratings.reshape(args.items, args.raters)
    present = ratings >= 0

    out = {
        "python": platform.python_version(),
        "versions": {"numpy": np.__version__},
        "items": args.items,
        "raters": args.raters,
    }

    if "statsmodels" not in skip:
        import statsmodels
        from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

        out["versions"]["statsmodels"] = statsmodels.__version__
        complete = np.ascontiguousarray(ratings[present.all(axis=1)])
        log(f"statsmodels: aggregate_raters + fleiss_kappa on {len(complete):,} complete items ...")
        (table, _), aggregate_wall, aggregate_cpu = timed(args.runs, lambda: aggregate_raters(complete, n_cat=args.categories))
        kappa, fleiss_wall, fleiss_cpu = timed(args.runs, lambda: fleiss_kappa(table, method="fleiss"))
        out["statsmodels"] = {
            "items": int(len(complete)),
            "value": float(kappa),
            "aggregate_seconds": aggregate_wall,
            "aggregate_cpu_seconds": aggregate_cpu,
            "fleiss_seconds": fleiss_wall,
            "fleiss_cpu_seconds": fleiss_cpu,
        }

    if "sklearn" not in skip:
        import sklearn
        from sklearn.metrics import cohen_kappa_score

        out["versions"]["sklearn"] = sklearn.__version__
        log(f"sklearn: cohen_kappa_score for {args.raters * (args.raters - 1) // 2} pairs on the items both rated ...")
        pairs = []
        for a in range(args.raters):
            for b in range(a + 1, args.raters):
                # Selecting the items both rated is part of the work (LabelHub's pair matrix does it in its pass).
                (x, y), select_wall, select_cpu = timed(
                    args.runs, lambda: (lambda both: (ratings[both, a], ratings[both, b]))(present[:, a] & present[:, b]))
                kappa, score_wall, score_cpu = timed(args.runs, lambda: cohen_kappa_score(x, y))
                pairs.append({
                    "a": a, "b": b, "items": int(len(x)), "value": float(kappa),
                    "select_seconds": select_wall, "select_cpu_seconds": select_cpu,
                    "score_seconds": score_wall, "score_cpu_seconds": score_cpu,
                })
        out["sklearn"] = {"pairs": pairs}

    if "nltk" not in skip:
        import nltk
        from nltk.metrics.agreement import AnnotationTask
        from nltk.metrics.distance import binary_distance, interval_distance

        out["versions"]["nltk"] = nltk.__version__
        items = args.items if args.nltk_items <= 0 else min(args.nltk_items, args.items)
        subset, subset_present = ratings[:items], present[:items]
        item_index, coder_index = np.nonzero(subset_present)
        labels = subset[item_index, coder_index] + 1  # category values 1..K, as the C# side's interval/ratio values
        triples = list(zip(coder_index.tolist(), item_index.tolist(), labels.tolist()))
        log(f"nltk: AnnotationTask over {items:,} items ({len(triples):,} annotations) ...")
        task, build_wall, build_cpu = timed(1, lambda: AnnotationTask(data=triples))
        distances = {
            "nominal": binary_distance,
            "interval": interval_distance,
            "ratio": lambda l1, l2: ((l1 - l2) / (l1 + l2)) ** 2,
        }
        alphas = {}
        for level in filter(None, args.nltk_levels.split(",")):
            task.distance = distances[level]
            runs = args.nltk_runs if level == "nominal" else 1
            log(f"nltk: alpha() {level} x{runs} ...")
            alpha, wall, cpu = timed(runs, task.alpha)
            alphas[level] = {"value": float(alpha), "seconds": wall, "cpu_seconds": cpu}
        out["nltk"] = {
            "items": items,
            "annotations": len(triples),
            "build_seconds": build_wall,
            "build_cpu_seconds": build_cpu,
            "alpha": alphas,
        }

    for name in ("statsmodels", "sklearn", "nltk"):
        if name in out:
            log(f"{name}: done")
    out["process_cpu_seconds"] = time.process_time()
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
