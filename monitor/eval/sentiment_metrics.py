"""Metrics for a sentiment scorer on labelled posts (label 1 = positive, 0 = negative).

A post counts as negative when its score is below the threshold (``score < negative_below``),
the same rule the detector uses. ROC-AUC is rank based (the Mann-Whitney U statistic, ties
given their average rank), so it needs no threshold and no third-party library.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Metrics:
    """How well scores separate labels; ``n`` counts the rows that had a score."""

    n: int
    accuracy: float
    macro_f1: float
    neg_f1: float
    auc: float


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half).

    Returns NaN when one class is missing.
    """
    if len(labels) != len(scores):
        raise ValueError("labels and scores differ in length")
    order = sorted(range(len(scores)), key=scores.__getitem__)
    rank_sum_pos = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        average_rank = (i + j) / 2 + 1  # ranks are 1-based
        rank_sum_pos += average_rank * sum(1 for k in order[i : j + 1] if labels[k] == 1)
        i = j + 1
    n_pos = sum(1 for label in labels if label == 1)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return (rank_sum_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    denominator = 2 * true_positive + false_positive + false_negative
    return 2 * true_positive / denominator if denominator else 0.0


def threshold_metrics(
    labels: Sequence[int], scores: Sequence[float], negative_below: float
) -> tuple[float, float, float]:
    """Accuracy, macro-F1 and negative-class F1 when ``score < negative_below`` means negative."""
    tp = fp = fn = tn = 0  # counted for the positive class
    for label, score in zip(labels, scores, strict=True):
        predicted = 0 if score < negative_below else 1
        if predicted == 1:
            tp, fp = (tp + 1, fp) if label == 1 else (tp, fp + 1)
        else:
            fn, tn = (fn + 1, tn) if label == 1 else (fn, tn + 1)
    n = tp + fp + fn + tn
    pos_f1 = _f1(tp, fp, fn)
    neg_f1 = _f1(tn, fn, fp)
    return ((tp + tn) / n if n else 0.0, (pos_f1 + neg_f1) / 2, neg_f1)


def evaluate(labels: Sequence[int], scores: Sequence[float | None], negative_below: float) -> Metrics:
    """All metrics over the rows that were scored (rows scored ``None`` are left out)."""
    kept = [(label, score) for label, score in zip(labels, scores, strict=True) if score is not None]
    kept_labels = [label for label, _ in kept]
    kept_scores = [score for _, score in kept]
    accuracy, macro_f1, neg_f1 = threshold_metrics(kept_labels, kept_scores, negative_below)
    return Metrics(len(kept), accuracy, macro_f1, neg_f1, roc_auc(kept_labels, kept_scores))


def calibrate_threshold(datasets: Sequence[tuple[Sequence[int], Sequence[float]]]) -> float:
    """The threshold that maximises the mean macro-F1 over ``datasets``, each weighted equally.

    Candidates are the midpoints between consecutive distinct scores (thinned to at most 5,000
    evenly spaced by rank); among equally good candidates the middle one is taken.
    """
    pooled = sorted({score for _, scores in datasets for score in scores})
    if len(pooled) < 2:
        return 0.5
    candidates = [(a + b) / 2 for a, b in pairwise(pooled)]
    if len(candidates) > 5000:
        step = len(candidates) / 5000
        candidates = [candidates[int(i * step)] for i in range(5000)]
    sorted_sets = [
        (
            sorted(s for y, s in zip(labels, scores, strict=True) if y == 1),
            sorted(s for y, s in zip(labels, scores, strict=True) if y != 1),
        )
        for labels, scores in datasets
    ]
    best: list[float] = []
    best_value = -1.0
    for threshold in candidates:
        value = sum(_macro_f1_at(pos, neg, threshold) for pos, neg in sorted_sets) / len(sorted_sets)
        if value > best_value + 1e-12:
            best, best_value = [threshold], value
        elif abs(value - best_value) <= 1e-12:
            best.append(threshold)
    return best[len(best) // 2]


def _macro_f1_at(positives: list[float], negatives: list[float], threshold: float) -> float:
    """Macro-F1 from sorted scores of the positive and negative rows."""
    fn = bisect_left(positives, threshold)  # positives scored below: called negative
    tn = bisect_left(negatives, threshold)
    tp, fp = len(positives) - fn, len(negatives) - tn
    return (_f1(tp, fp, fn) + _f1(tn, fn, fp)) / 2
