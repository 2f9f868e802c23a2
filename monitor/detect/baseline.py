"""A board's own baseline: its usual pace, its biggest threads, how its threads grow.

A busy board must not always alarm and a quiet one still must, so every figure the detector
weighs is relative to the board. :func:`learn_board_baseline` reads the reply times of the
board's recent threads that are at least a day old and learns:

* ``usual_replies_per_hour`` — the median thread's replies in its first hour;
* ``escalation_replies`` — the 24 h size of the board's top 5 % threads (nearest rank): a
  thread heading there is escalating *for this board*;
* one growth model per reference age — ``log(1 + replies at 24 h)`` as a non-negative
  combination of the logs of the growth inputs at that age (reply count, replies in the
  recent window, short- and long-memory recent replies; see
  :mod:`monitor.detect.features`), fitted by least squares on the board's own threads (no
  labels needed: each old thread's first day is its own answer). The two naive scores — the
  count and the recent window — are among the inputs, so on the board's history the model
  fits at least as well as either. Non-negative weights keep the forecast monotone: another
  reply never lowers it. The fit gives a *median*-like first day, ``exp(mu) - 1``, pulled
  toward the board's average; the forecast (:mod:`monitor.detect.forecast`) is the *expected*
  one, ``exp(mu + mean_shift) - 1``, where ``mean_shift = log mean(exp(residual))`` (Duan's
  smearing; ``variance / 2`` for log-normal errors). Big threads' errors are not small
  threads' (a board's biggest forecasts are less spread and under-forecast), so the shift is
  measured where the alert is decided: on the board's top ``CALIBRATION_SHARE`` of forecasts.
  Then "forecast ≥ the board's top 5 % size" flags about as many threads as end there. The
  same threads give the forecast's range: the 10th and 90th percentiles of their residuals
  (``low_shift``, ``high_shift``), so "80 % range 14–60" holds about 8 in 10 of the board's
  big forecasts' outcomes.

Every figure is shrunk toward the prior in :class:`~monitor.config.settings.DetectSettings`
with the weight of ``prior_weight_threads`` threads, so a new or quiet board starts from the
prior and moves to its own figures as its history grows. The growth model is fitted on
centred inputs: its slopes are shrunk toward the prior's, and its level at the board's
average thread toward the prior's level there — a board whose threads are all ten times
bigger than the prior's is not pulled back by the intercept. :func:`prior_baseline` is the
prior alone (a board with no history, or one that has vanished).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.features import DAY, GROWTH_INPUTS, HOUR, GrowthInputs, growth_inputs

REFERENCE_AGES_HOURS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
TOP_SHARE = 0.05  # "escalated" = among the board's top 5 % by 24 h size
CALIBRATION_SHARE = 0.10  # the forecast's mean shift is measured on the board's top 10 % forecasts
RANGE_SHARE = 0.80  # the forecast's range holds this share of the board's top forecasts' outcomes
PRIOR_RANGE_Z = 1.2816  # the normal's 10th-90th percentile, in standard deviations


@dataclass(frozen=True)
class GrowthModel:
    """``log(1 + replies at 24 h)`` from a thread's growth inputs at ``age_hours``."""

    age_hours: float
    intercept: float
    weights: tuple[float, ...]  # one per input, in GROWTH_INPUTS order; never negative
    mean_shift: float  # log of the mean ratio (1 + replies at 24 h) / exp(predict_log): mean over median
    low_shift: float  # the ratio's 10th percentile, in log (see RANGE_SHARE)
    high_shift: float  # its 90th percentile

    def predict_log(self, growth: GrowthInputs) -> float:
        """The fitted ``log(1 + replies at 24 h)`` (``exp`` of it is about the median size)."""
        return self.intercept + sum(w * x for w, x in zip(self.weights, growth.logs(), strict=True))

    def weight(self, name: str) -> float:
        """The weight of one input (a name in :data:`~monitor.detect.features.GROWTH_INPUTS`)."""
        return self.weights[GROWTH_INPUTS.index(name)]


@dataclass(frozen=True)
class BoardBaseline:
    """What is usual on one board; ``threads`` = 0 means the prior alone."""

    threads: int
    usual_replies_per_hour: float
    escalation_replies: float
    models: tuple[GrowthModel, ...]

    def model_at(self, age: float) -> GrowthModel:
        """The growth model for a thread ``age`` seconds old (interpolated in log-age)."""
        hours = max(age / HOUR, 1e-6)
        models = self.models
        if hours <= models[0].age_hours:
            return models[0]
        if hours >= models[-1].age_hours:
            return models[-1]
        index = bisect.bisect_right([m.age_hours for m in models], hours)
        low, high = models[index - 1], models[index]
        w = math.log(hours / low.age_hours) / math.log(high.age_hours / low.age_hours)
        return GrowthModel(
            age_hours=hours,
            intercept=low.intercept + w * (high.intercept - low.intercept),
            weights=tuple(a + w * (b - a) for a, b in zip(low.weights, high.weights, strict=True)),
            mean_shift=low.mean_shift + w * (high.mean_shift - low.mean_shift),
            low_shift=low.low_shift + w * (high.low_shift - low.low_shift),
            high_shift=low.high_shift + w * (high.high_shift - low.high_shift),
        )


def prior_baseline(settings: DetectSettings) -> BoardBaseline:
    intercept, *weights = settings.prior_growth
    spread = PRIOR_RANGE_Z * math.sqrt(settings.prior_growth_variance)
    return BoardBaseline(
        threads=0,
        usual_replies_per_hour=settings.prior_usual_replies_per_hour,
        escalation_replies=settings.prior_escalation_replies,
        models=tuple(
            GrowthModel(age, intercept, tuple(weights), settings.prior_growth_variance / 2, -spread, spread)
            for age in REFERENCE_AGES_HOURS
        ),
    )


def learn_board_baseline(histories: Sequence[Sequence[float]], settings: DetectSettings) -> BoardBaseline:
    """Learn a board's baseline from its threads' reply offsets (seconds since each first post).

    Pass only threads at least a day old: replies after 24 h are ignored, and a younger
    thread's missing replies would read as a small first day.
    """
    prior = prior_baseline(settings)
    if not histories:
        return prior
    threads = [sorted(t for t in offsets if 0 <= t <= DAY) for offsets in histories]
    n = len(threads)
    k = settings.prior_weight_threads
    finals = sorted(len(t) for t in threads)
    top = finals[max(0, math.ceil((1 - TOP_SHARE) * n) - 1)]
    first_hours = sorted(bisect.bisect_right(t, HOUR) for t in threads)
    median_first_hour = first_hours[(n - 1) // 2]
    models = tuple(
        _fit_model(threads, age, prior.models[i], k, settings) for i, age in enumerate(REFERENCE_AGES_HOURS)
    )
    return BoardBaseline(
        threads=n,
        usual_replies_per_hour=(n * median_first_hour + k * prior.usual_replies_per_hour) / (n + k),
        escalation_replies=(n * top + k * prior.escalation_replies) / (n + k),
        models=models,
    )


def _fit_model(
    threads: Sequence[Sequence[float]],
    age_hours: float,
    prior: GrowthModel,
    weight: float,
    settings: DetectSettings,
) -> GrowthModel:
    """Ridge least squares on centred inputs toward the prior, weights held non-negative.

    The slopes minimise ``|y - ȳ - (X - X̄) b|² + weight · |b - b_prior|²`` with ``b >= 0``
    (active set: the most negative weight is held at zero and the rest refitted). The level at
    the board's mean inputs, ``ȳ``, is shrunk toward the prior's level there with the same
    weight, and the intercept follows from it. The mean shift is measured on the threads with the
    top ``CALIBRATION_SHARE`` of fitted values and shrunk toward the prior's with the same weight.
    """
    age = age_hours * HOUR
    rows: list[tuple[float, ...]] = []
    targets: list[float] = []
    for offsets in threads:
        seen = offsets[: bisect.bisect_right(offsets, age)]
        rows.append(growth_inputs(seen, age, settings).logs())
        targets.append(math.log1p(len(offsets)))
    n, size = len(rows), len(prior.weights)
    mean_x = [sum(row[i] for row in rows) / n for i in range(size)]
    mean_y = sum(targets) / n
    sxx = [[0.0] * size for _ in range(size)]
    sxy = [0.0] * size
    for row, y in zip(rows, targets, strict=True):
        dx = [row[i] - mean_x[i] for i in range(size)]
        for i in range(size):
            sxy[i] += dx[i] * (y - mean_y)
            for j in range(size):
                sxx[i][j] += dx[i] * dx[j]
    free = list(range(size))
    coef = [0.0] * size
    for _ in range(size):
        coef = [0.0] * size
        matrix = [[sxx[i][j] + (weight if i == j else 0.0) for j in free] for i in free]
        vector = [sxy[i] + weight * prior.weights[i] for i in free]
        for i, value in zip(free, _solve(matrix, vector), strict=True):
            coef[i] = value
        negative = [i for i in free if coef[i] < 0]
        if not negative:
            break
        free.remove(min(negative, key=lambda i: coef[i]))  # held at zero from now on
    weights = tuple(max(c, 0.0) for c in coef)
    prior_level = prior.intercept + sum(w * x for w, x in zip(prior.weights, mean_x, strict=True))
    level = (n * mean_y + weight * prior_level) / (n + weight)
    intercept = level - sum(w * x for w, x in zip(weights, mean_x, strict=True))
    fitted = [intercept + sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows]
    top = sorted(zip(fitted, targets, strict=True), reverse=True)[: max(1, math.ceil(CALIBRATION_SHARE * n))]
    shift = math.log(sum(math.exp(y - mu) for mu, y in top) / len(top))
    shift = (len(top) * shift + weight * prior.mean_shift) / (len(top) + weight)
    low, high = _range(sorted(y - mu for mu, y in top))
    low = (len(top) * low + weight * prior.low_shift) / (len(top) + weight)
    high = (len(top) * high + weight * prior.high_shift) / (len(top) + weight)
    return GrowthModel(age_hours, intercept, weights, shift, low, high)


def _range(residuals: Sequence[float]) -> tuple[float, float]:
    """The ``RANGE_SHARE`` central interval of sorted residuals (linear interpolation)."""
    tail = (1 - RANGE_SHARE) / 2
    return _quantile(residuals, tail), _quantile(residuals, 1 - tail)


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the ridge term keeps it well posed)."""
    n = len(vector)
    a = [[*row[:], vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(a[r][r]) < 1e-12:
            continue
        out[r] = (a[r][n] - sum(a[r][c] * out[c] for c in range(r + 1, n))) / a[r][r]
    return out
