"""Early-warning metrics on tiny hand-checked examples."""

from __future__ import annotations

import math

from monitor.eval.detect_metrics import (
    best_f1_threshold,
    confusion,
    median,
    recall_at_fpr,
    roc_auc,
    threshold_at_fpr,
)


def test_auc_counts_ties_half_and_needs_both_classes() -> None:
    assert roc_auc([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2]) == 1.0
    assert roc_auc([1, 0], [0.5, 0.5]) == 0.5
    assert roc_auc([1, 0, 0, 1], [3, 1, 2, 0]) == 0.5
    assert math.isnan(roc_auc([1, 1], [0.1, 0.2]))


def test_recall_at_fpr_never_lets_ties_add_false_positives() -> None:
    labels = [0] * 100 + [1, 1, 1, 1]
    scores = [float(i) for i in range(100)] + [99.0, 98.5, 97.0, 50.0]
    # 2 % of 100 negatives = 2 allowed: threshold is the 3rd-highest negative (97)
    assert threshold_at_fpr(labels, scores, 0.02) == 97.0
    assert recall_at_fpr(labels, scores, 0.02) == 0.5  # 99 ties the top negative: flagged (> 97)
    assert recall_at_fpr(labels, scores, 0.0) == 0.0  # nothing may pass the top negative (99)
    assert recall_at_fpr(labels, scores, 0.05) == 0.75


def test_confusion_and_best_f1_threshold() -> None:
    labels = [1, 1, 0, 1, 0, 0]
    scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.1]
    threshold = best_f1_threshold(labels, scores)
    c = confusion(labels, scores, threshold)
    assert (c.tp, c.fp, c.fn, c.tn) == (3, 1, 0, 2)
    assert math.isclose(c.f1, 6 / 7) and math.isclose(c.fpr, 1 / 3)
    assert 0.2 < threshold < 0.6
    assert median([3.0, 1.0, 2.0]) == 2.0 and median([1.0, 2.0]) == 1.5 and math.isnan(median([]))
