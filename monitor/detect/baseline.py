"""A board's own baseline: its usual pace, its biggest threads, how its threads grow.

A busy board must not always alarm and a quiet one still must, so every figure the detector
weighs is relative to the board. :func:`learn_board_baseline` reads the reply times of the
board's recent threads that are at least a day old and learns:

* ``usual_replies_per_hour`` — the median thread's replies in its first hour;
* ``escalation_replies`` — the 24 h size of the board's top 5 % threads (nearest rank): a
  thread heading there is escalating *for this board*;
* one growth model per reference age — ``log(1 + replies at 24 h)`` as a non-negative
  combination of ``log(1 + replies)`` and the short- and long-memory recent replies at that
  age, fitted by least squares on the board's own threads (no labels needed: each old
  thread's first day is its own answer). Non-negative weights keep the forecast monotone:
  another reply never lowers it.

Every figure is shrunk toward the prior in :class:`~monitor.config.settings.DetectSettings`
with the weight of ``prior_weight_threads`` threads, so a new or quiet board starts from the
prior and moves to its own figures as its history grows. :func:`prior_baseline` is the prior
alone (a board with no history, or one that has vanished).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config.settings import DetectSettings
from monitor.detect.features import DAY, HOUR, GrowthInputs, growth_inputs

REFERENCE_AGES_HOURS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
TOP_SHARE = 0.05  # "escalated" = among the board's top 5 % by 24 h size


@dataclass(frozen=True)
class GrowthModel:
    """``log(1 + replies at 24 h)`` from a thread's growth inputs at ``age_hours``."""

    age_hours: float
    intercept: float
    replies: float
    recent_short: float
    recent_long: float

    def predict_log(self, growth: GrowthInputs) -> float:
        return (
            self.intercept
            + self.replies * math.log1p(growth.replies)
            + self.recent_short * math.log1p(growth.recent_short)
            + self.recent_long * math.log1p(growth.recent_long)
        )


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
            replies=low.replies + w * (high.replies - low.replies),
            recent_short=low.recent_short + w * (high.recent_short - low.recent_short),
            recent_long=low.recent_long + w * (high.recent_long - low.recent_long),
        )


def prior_baseline(settings: DetectSettings) -> BoardBaseline:
    a, b, c, d = settings.prior_growth
    return BoardBaseline(
        threads=0,
        usual_replies_per_hour=settings.prior_usual_replies_per_hour,
        escalation_replies=settings.prior_escalation_replies,
        models=tuple(GrowthModel(age, a, b, c, d) for age in REFERENCE_AGES_HOURS),
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
    """Ridge least squares toward the prior, slopes held non-negative (active set)."""
    age = age_hours * HOUR
    size = 4
    xtx = [[0.0] * size for _ in range(size)]
    xty = [0.0] * size
    for offsets in threads:
        seen = offsets[: bisect.bisect_right(offsets, age)]
        g = growth_inputs(seen, age, settings)
        x = (1.0, math.log1p(g.replies), math.log1p(g.recent_short), math.log1p(g.recent_long))
        y = math.log1p(len(offsets))
        for i in range(size):
            xty[i] += x[i] * y
            for j in range(size):
                xtx[i][j] += x[i] * x[j]
    target = [prior.intercept, prior.replies, prior.recent_short, prior.recent_long]
    free = list(range(size))
    coef = [0.0] * size
    for _ in range(size):
        coef = [0.0] * size
        matrix = [[xtx[i][j] + (weight if i == j else 0.0) for j in free] for i in free]
        vector = [xty[i] + weight * target[i] for i in free]
        for i, value in zip(free, _solve(matrix, vector), strict=True):
            coef[i] = value
        negative = [i for i in free if i > 0 and coef[i] < 0]
        if not negative:
            break
        free.remove(min(negative, key=lambda i: coef[i]))  # held at zero from now on
    return GrowthModel(age_hours, coef[0], max(coef[1], 0.0), max(coef[2], 0.0), max(coef[3], 0.0))


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
