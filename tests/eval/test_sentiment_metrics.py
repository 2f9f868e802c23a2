"""Sentiment metrics: rank-based ROC-AUC with ties, thresholded scores, threshold calibration."""

from __future__ import annotations

import math
import random

import pytest

from monitor.eval.sentiment_metrics import calibrate_threshold, evaluate, roc_auc, threshold_metrics


def brute_force_auc(labels: list[int], scores: list[float]) -> float:
    positives = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    negatives = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_auc_of_perfect_reversed_and_constant_scores() -> None:
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5


def test_auc_counts_ties_as_half_like_the_pairwise_definition() -> None:
    rng = random.Random(7)
    labels = [rng.randint(0, 1) for _ in range(400)]
    scores = [round(rng.random() * 0.6 + 0.4 * y, 1) for y in labels]  # many ties
    assert roc_auc(labels, scores) == pytest.approx(brute_force_auc(labels, scores), abs=1e-12)


def test_auc_without_one_class_is_nan() -> None:
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))
    with pytest.raises(ValueError):
        roc_auc([1, 0], [0.2])


def test_threshold_metrics_call_scores_below_the_threshold_negative() -> None:
    labels = [0, 0, 0, 1, 1]
    scores = [0.1, 0.2, 0.6, 0.6, 0.9]
    accuracy, macro_f1, neg_f1 = threshold_metrics(labels, scores, 0.5)
    # predicted negative: the first two; negative F1 = 2*2/(2*2+0+1) = 0.8; positive F1 = 2*2/(4+1+0) = 0.8
    assert accuracy == pytest.approx(0.8)
    assert neg_f1 == pytest.approx(0.8)
    assert macro_f1 == pytest.approx(0.8)
    assert threshold_metrics(labels, scores, 0.6)[0] == pytest.approx(0.8)  # 0.6 is not below 0.6


def test_evaluate_leaves_out_unscored_rows() -> None:
    metrics = evaluate([0, 1, 1, 0], [0.1, 0.9, None, None], 0.5)
    assert metrics.n == 2
    assert metrics.accuracy == 1.0 and metrics.auc == 1.0


def test_calibration_finds_the_separating_threshold() -> None:
    labels = [0] * 50 + [1] * 50
    scores = [0.90 + i * 0.0001 for i in range(50)] + [0.97 + i * 0.0001 for i in range(50)]
    threshold = calibrate_threshold([(labels, scores)])
    assert 0.9049 < threshold <= 0.97
    assert threshold_metrics(labels, scores, threshold)[0] == 1.0


def test_calibration_weighs_each_dataset_equally() -> None:
    big = ([0] * 900 + [1] * 900, [0.2] * 900 + [0.4] * 900)  # separable at 0.3
    small = ([0] * 10 + [1] * 10, [0.5] * 10 + [0.7] * 10)  # separable at 0.6
    threshold = calibrate_threshold([big, small])
    # Any threshold in (0.2, 0.4] gets big right; (0.5, 0.7] gets small right; none both.
    assert 0.2 < threshold <= 0.7
    assert calibrate_threshold([]) == 0.5
