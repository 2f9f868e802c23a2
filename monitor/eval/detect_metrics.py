"""Metrics for an early-warning score: AUC, recall at a false-positive budget, F1, lead time.

Labels are 1 (escalated) / 0. Higher scores mean "more likely to escalate". Everything is
rank based or threshold based, pure Python, deterministic.

* :func:`roc_auc` — Mann-Whitney U (ties count half).
* :func:`threshold_at_fpr` — the lowest threshold that flags at most ``floor(fpr * negatives)``
  negatives (a thread is flagged when its score is strictly above the threshold), so ties
  never sneak extra false positives in.
* :func:`best_f1_threshold` — the threshold with the best F1 (fitted on one part, applied to
  another by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Confusion:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """P(random positive scores above random negative), ties half; NaN if a class is missing."""
    pairs = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # ranks are 1-based
        rank_sum += average_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def confusion(labels: Sequence[int], scores: Sequence[float], threshold: float) -> Confusion:
    """Counts when a score strictly above ``threshold`` is flagged."""
    tp = fp = fn = tn = 0
    for label, score in zip(labels, scores, strict=True):
        flagged = score > threshold
        if label:
            tp, fn = tp + flagged, fn + (not flagged)
        else:
            fp, tn = fp + flagged, tn + (not flagged)
    return Confusion(tp, fp, fn, tn)


def threshold_at_fpr(labels: Sequence[int], scores: Sequence[float], fpr: float) -> float:
    negatives = sorted((s for s, label in zip(scores, labels, strict=True) if not label), reverse=True)
    allowed = math.floor(fpr * len(negatives) + 1e-9)
    return negatives[allowed] if allowed < len(negatives) else -math.inf


def recall_at_fpr(labels: Sequence[int], scores: Sequence[float], fpr: float) -> float:
    return confusion(labels, scores, threshold_at_fpr(labels, scores, fpr)).recall


def best_f1_threshold(labels: Sequence[int], scores: Sequence[float]) -> float:
    """The threshold (flag above it) with the highest F1, midway to the next lower score."""
    pairs = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels)
    best_f1, best = -1.0, math.inf
    tp = fp = 0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            tp += pairs[j][1]
            fp += 1 - pairs[j][1]
            j += 1
        # flagging everything scoring >= pairs[i][0] == everything above the next lower score
        f1 = 2 * tp / (tp + fp + positives) if positives else 0.0
        if f1 > best_f1:
            best_f1 = f1
            best = (pairs[i][0] + pairs[j][0]) / 2 if j < len(pairs) else -math.inf
        i = j
    return best


def median(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
