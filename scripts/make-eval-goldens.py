#!/usr/bin/env python3
"""Writes Tests/Fixtures/eval-goldens.json: the metrics of `loupe eval` computed by established
implementations on random cases, so the Swift metrics are tested against them (run once; the
output is committed and the tests only read it).

  retrieval    pytrec_eval (trec_eval): ndcg_cut.{5,10}, recall.{5,10,100}, map_cut.{5,10}, and
               recip_rank on the run cut to the top k (= MRR@k, as BEIR computes it)
  correlation  scipy.stats.pearsonr / spearmanr (tie-averaged ranks)
  v_measure    sklearn.metrics.v_measure_score
  knn          leave-one-out k-NN accuracy: neighbours from sklearn.neighbors.NearestNeighbors
               (brute force, cosine), the vote with loupe's documented tie rule (the tied label
               whose best neighbour ranks highest); cross-checked against KNeighborsClassifier
               wherever no vote is tied

Usage (a throwaway virtualenv; pytrec-eval-terrier is the maintained wheel build of pytrec_eval):
  python3 -m venv /tmp/evalgold
  /tmp/evalgold/bin/pip install pytrec-eval-terrier==0.5.11 scikit-learn==1.9.1 scipy==1.17.1 numpy==2.4.6
  /tmp/evalgold/bin/python scripts/make-eval-goldens.py
"""
import json
import os
import sys

import numpy as np
import pytrec_eval
import scipy.stats
from sklearn.metrics import v_measure_score
from sklearn.model_selection import LeaveOneOut, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

rng = np.random.default_rng(20240615)
CUTS = [5, 10]


def retrieval_cases(count=200):
    cases = []
    while len(cases) < count:
        n = int(rng.integers(5, 121))
        depth = min(n, 100)
        ranking = [int(d) for d in rng.permutation(n)[:depth]]
        # Judge a random subset with grades 0..3; some relevant documents may lie below the depth.
        judged = rng.choice(n, size=int(rng.integers(1, min(n, 12) + 1)), replace=False)
        grades = {int(d): int(rng.choice([0, 1, 1, 2, 3])) for d in judged}
        if not any(g > 0 for g in grades.values()):
            continue
        qrel = {"q": {f"d{d}": g for d, g in grades.items()}}
        run = {"q": {f"d{d}": float(depth - i) for i, d in enumerate(ranking)}}
        measures = {f"ndcg_cut.{c}" for c in CUTS} | {f"map_cut.{c}" for c in CUTS} | {"recall.5", "recall.10", "recall.100"}
        scores = pytrec_eval.RelevanceEvaluator(qrel, measures).evaluate(run)["q"]
        expected = {}
        for c in CUTS:
            expected[f"ndcg@{c}"] = scores[f"ndcg_cut_{c}"]
            expected[f"map@{c}"] = scores[f"map_cut_{c}"]
            cut = {"q": {f"d{d}": float(depth - i) for i, d in enumerate(ranking[:c])}}
            expected[f"mrr@{c}"] = pytrec_eval.RelevanceEvaluator(qrel, {"recip_rank"}).evaluate(cut)["q"]["recip_rank"]
        for c in [5, 10, 100]:
            expected[f"recall@{c}"] = scores[f"recall_{c}"]
        cases.append({"ranking": ranking, "grades": {str(d): g for d, g in grades.items()},
                      "expected": {name: round(v, 12) for name, v in expected.items()}})
    return cases


def correlation_cases(count=150):
    cases = []
    while len(cases) < count:
        n = int(rng.integers(2, 61))
        x = np.round(rng.normal(size=n), 3)
        y = np.round(0.6 * x + rng.normal(size=n), 3)
        if rng.random() < 0.5:  # ties on one or both sides
            x = np.round(x * 2) / 2
        if rng.random() < 0.3:
            y = np.round(y)
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        cases.append({"x": x.tolist(), "y": y.tolist(),
                      "pearson": round(float(scipy.stats.pearsonr(x, y)[0]), 12),
                      "spearman": round(float(scipy.stats.spearmanr(x, y)[0]), 12)})
    return cases


def v_measure_cases(count=200):
    cases = []
    for _ in range(count):
        n = int(rng.integers(1, 81))
        labels = rng.integers(0, int(rng.integers(1, 7)), size=n)
        clusters = rng.integers(0, int(rng.integers(1, 9)), size=n)
        if rng.random() < 0.3:  # clusterings close to the labels
            clusters = np.where(rng.random(n) < 0.8, labels, clusters)
        cases.append({"labels": labels.tolist(), "clusters": clusters.tolist(),
                      "v_measure": round(float(v_measure_score(labels, clusters)), 12)})
    return cases


def vote(neighbour_labels):
    """The most frequent label among the neighbours (best first); a tie goes to the tied label
    that appears first. Returns (label, whether the vote was tied)."""
    counts = {l: neighbour_labels.count(l) for l in neighbour_labels}
    top = max(counts.values())
    tied = sum(1 for c in counts.values() if c == top) > 1
    return next(l for l in neighbour_labels if counts[l] == top), tied


def knn_cases(count=25, k=5):
    cases = []
    while len(cases) < count:
        n, d, classes = int(rng.integers(10, 41)), int(rng.integers(3, 9)), int(rng.integers(2, 6))
        labels = rng.integers(0, classes, size=n)
        centres = rng.normal(size=(classes, d))
        x = centres[labels] + rng.normal(scale=0.9, size=(n, d))
        x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(x)
        dist, idx = nn.kneighbors(x)
        # Keep cases whose neighbour order is unambiguous in float32 (self first, clear gaps).
        if not (idx[:, 0] == np.arange(n)).all() or (np.diff(dist, axis=1) < 1e-4).any():
            continue
        full = np.sort(1 - x @ x.T, axis=1)
        if (full[:, k + 1] - full[:, k] < 1e-4).any():
            continue
        winners, tied = [], np.zeros(n, dtype=bool)
        for i in range(n):
            winner, tied[i] = vote([int(labels[j]) for j in idx[i, 1:]])
            winners.append(winner)
        mine = np.array(winners)
        correct = int((mine == labels).sum())
        clf = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute")
        predicted = cross_val_predict(clf, x, labels, cv=LeaveOneOut())
        assert (mine[~tied] == predicted[~tied]).all(), "vote disagrees with KNeighborsClassifier"
        cases.append({"k": k, "vectors": [[float(str(v)) for v in row] for row in x], "labels": labels.tolist(),
                      "accuracy": correct / n, "tied_votes": int(tied.sum())})
    return cases


def main():
    out = {
        "generator": "scripts/make-eval-goldens.py",
        "versions": {"pytrec_eval": "pytrec-eval-terrier " + _version("pytrec-eval-terrier"),
                     "scikit-learn": _version("scikit-learn"), "scipy": scipy.__version__, "numpy": np.__version__},
        "retrieval": retrieval_cases(),
        "correlation": correlation_cases(),
        "v_measure": v_measure_cases(),
        "knn": knn_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "eval-goldens.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(path)}: {os.path.getsize(path)} bytes", file=sys.stderr)


def _version(name):
    from importlib.metadata import version
    return version(name)


if __name__ == "__main__":
    main()
