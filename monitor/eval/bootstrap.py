"""How sure is an AUC? Paired bootstrap intervals for a detector and its lead over the baselines.

A dev half holds 17-45 escalated threads in the cascade and Weibo folders: one positive more
or less ranked moves the AUC by a few hundredths. So ``monitor eval detect --bootstrap N``
resamples the reported threads N times (positives and negatives apart, so every resample has
both) and reports, for each T, the 95 % interval of the detector's AUC and of its paired
difference from each baseline — the same resampled threads scored by both, so the noise the
two share cancels. An interval that straddles zero means "no measurable difference here".

Resampling with replacement is done by weights (how often each thread was drawn); the AUC of
a weighted sample is one sweep over the threads in score order, so each resample costs
``O(n)`` after one sort per detector. Seeded: the same call gives the same intervals.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    estimate: float  # on the threads as they are
    low: float
    high: float

    def describe(self, signed: bool = False) -> str:
        form = "+.3f" if signed else ".3f"
        return f"{self.estimate:{form}} (95 % CI {self.low:{form}} … {self.high:{form}})"


@dataclass(frozen=True)
class AucBootstrap:
    auc: Interval  # the detector's own
    lead: dict[str, Interval]  # baseline name -> detector AUC minus baseline AUC


def _score_groups(scores: Sequence[float]) -> list[list[int]]:
    """Thread indexes grouped by equal score, lowest score first."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and scores[groups[-1][0]] == scores[i]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def weighted_auc(groups: Sequence[Sequence[int]], labels: Sequence[int], weights: Sequence[float]) -> float:
    """AUC where thread ``i`` counts ``weights[i]`` times (ties half); NaN if a class has no weight."""
    below = 0.0  # negative weight strictly below the current group
    total = 0.0
    positives = negatives = 0.0
    for group in groups:
        pos = sum(weights[i] for i in group if labels[i])
        neg = sum(weights[i] for i in group if not labels[i])
        total += pos * (below + neg / 2)
        below += neg
        positives += pos
        negatives += neg
    if positives == 0 or negatives == 0:
        return math.nan
    return total / (positives * negatives)


def paired_auc_bootstrap(
    labels: Sequence[int],
    scores: Mapping[str, Sequence[float]],
    detector: str,
    resamples: int,
    seed: int = 20261206,
) -> AucBootstrap:
    """Intervals for ``detector``'s AUC and its lead over every other entry of ``scores``."""
    if resamples < 10:
        raise ValueError("a bootstrap needs at least 10 resamples")
    groups = {name: _score_groups(values) for name, values in scores.items()}
    ones = [1.0] * len(labels)
    point = {name: weighted_auc(g, labels, ones) for name, g in groups.items()}
    rng = random.Random(seed)
    positives = [i for i, label in enumerate(labels) if label]
    negatives = [i for i, label in enumerate(labels) if not label]
    drawn: dict[str, list[float]] = {name: [] for name in scores}
    for _ in range(resamples):
        weights = [0.0] * len(labels)
        for part in (positives, negatives):
            for i in rng.choices(part, k=len(part)) if part else ():
                weights[i] += 1.0
        for name, g in groups.items():
            drawn[name].append(weighted_auc(g, labels, weights))
    own = drawn[detector]
    return AucBootstrap(
        auc=_interval(point[detector], own),
        lead={
            name: _interval(point[detector] - point[name], [a - b for a, b in zip(own, values, strict=True)])
            for name, values in drawn.items()
            if name != detector
        },
    )


def _interval(estimate: float, values: Sequence[float]) -> Interval:
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return Interval(estimate, math.nan, math.nan)
    tail = (1 - CONFIDENCE) / 2
    return Interval(estimate, _quantile(ordered, tail), _quantile(ordered, 1 - tail))


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
