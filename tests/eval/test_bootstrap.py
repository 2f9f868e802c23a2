"""Paired bootstrap intervals for AUC (figures built in the test; seeded, so deterministic)."""

from __future__ import annotations

import math
import random

import pytest

from monitor.eval.bootstrap import _score_groups, paired_auc_bootstrap, weighted_auc
from monitor.eval.detect_metrics import roc_auc


def _sample(n: int, seed: int) -> tuple[list[int], list[float]]:
    rng = random.Random(seed)
    labels = [int(rng.random() < 0.1) for _ in range(n)]
    scores = [round(rng.gauss(1.0 if label else 0.0, 1.0), 1) for label in labels]  # rounding makes ties
    return labels, scores


def test_weighted_auc_with_unit_weights_is_the_plain_auc_ties_included() -> None:
    labels, scores = _sample(500, 1)
    assert weighted_auc(_score_groups(scores), labels, [1.0] * 500) == pytest.approx(roc_auc(labels, scores))


def test_weights_count_threads_as_repeated() -> None:
    labels, scores = _sample(200, 2)
    weights = [float(i % 3) for i in range(200)]
    repeated_labels = [label for label, w in zip(labels, weights, strict=True) for _ in range(int(w))]
    repeated_scores = [score for score, w in zip(scores, weights, strict=True) for _ in range(int(w))]
    assert weighted_auc(_score_groups(scores), labels, weights) == pytest.approx(
        roc_auc(repeated_labels, repeated_scores)
    )
    assert math.isnan(weighted_auc(_score_groups(scores), labels, [0.0] * 200))


def test_a_better_detector_leads_with_an_interval_above_zero_and_a_copy_does_not() -> None:
    rng = random.Random(3)
    labels = [int(rng.random() < 0.1) for _ in range(800)]
    noise = [rng.gauss(0.0, 1.0) for _ in labels]
    weak = [label * 0.5 + x for label, x in zip(labels, noise, strict=True)]
    strong = [label * 2.0 + x for label, x in zip(labels, noise, strict=True)]
    found = paired_auc_bootstrap(labels, {"strong": strong, "weak": weak, "same": strong}, "strong", 200)
    assert found.auc.low <= found.auc.estimate <= found.auc.high
    assert found.auc.estimate == pytest.approx(roc_auc(labels, strong))
    assert found.lead["weak"].low > 0
    assert found.lead["same"].estimate == found.lead["same"].low == found.lead["same"].high == 0.0
    again = paired_auc_bootstrap(labels, {"strong": strong, "weak": weak, "same": strong}, "strong", 200)
    assert again == found  # seeded
    wider = paired_auc_bootstrap(labels[:200], {"strong": strong[:200], "weak": weak[:200]}, "strong", 200)
    assert wider.auc.high - wider.auc.low > found.auc.high - found.auc.low  # fewer threads, less sure


def test_too_few_resamples_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        paired_auc_bootstrap([0, 1], {"a": [0.0, 1.0]}, "a", 5)
