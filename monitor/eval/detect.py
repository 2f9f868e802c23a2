"""``monitor eval detect``: replay real growth data through the detector, side by side with naive scores.

Protocol (the data folders' README): at observation time T a detector sees only the events
with ``t <= T`` and gives a score; threads already at ``theta`` by T are left out (not an
early warning any more); positive = escalated. Reported per dataset and T, for the product's
detector and the two naive baselines on the same threads:

* AUC; recall at FPR <= 2 % and <= 5 % (thresholds read off the reported part's negatives);
* precision, recall, F1 and FPR at the F1-best threshold *fitted on the fit part*;
* median lead time, ``cross_time - T``, over true positives at the FPR <= 5 % threshold;
* for the detector, how its forecast ("likely ~N replies within 24 h", 80 % range) held up
  against each thread's real 24 h size (:mod:`monitor.eval.forecast_check`).

Fitting: each folder is split by :func:`~monitor.eval.detect_data.split_part`; the detector's
board baseline (one board per folder — the label, "top 5 % by 24 h size", is relative to the
whole folder) is learned from the fit part's threads, and metrics are computed on the report
part. ``fit_dirs`` instead learns from other folders of the same name (e.g. the dev data) and
reports on every thread of ``data`` (e.g. a held-out half). Global detector settings are the
product's defaults (``DetectSettings``), fixed beforehand.

The product's score is :func:`monitor.detect.detector.detect_thread` — the same function the
pipeline uses — fed a timeline of reply times only: this data has no authors, text or
sentiment, so the eval exercises the growth model (reply count, replies in the last 30 min,
short- and long-memory recent replies, age), the board baseline and the forecast; resonance,
negativity, crisis signals and hysteresis are not exercised here (see tests/detect).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from monitor.config.settings import DetectSettings
from monitor.detect.baseline import BoardBaseline, learn_board_baseline
from monitor.detect.detector import detect_thread
from monitor.detect.timeline import timeline_from_offsets
from monitor.eval.bootstrap import AucBootstrap, paired_auc_bootstrap
from monitor.eval.detect_data import (
    FIT,
    REPORT,
    DatasetError,
    GrowthDataset,
    GrowthThread,
    load_dataset,
    split_part,
)
from monitor.eval.detect_metrics import (
    best_f1_threshold,
    confusion,
    median,
    recall_at_fpr,
    roc_auc,
    threshold_at_fpr,
)
from monitor.eval.forecast_check import ForecastCheck, check_forecasts

DETECTOR = "monitor"
NAIVE_COUNT = "count_so_far"
NAIVE_RECENT = "last_30min"
DETECTORS = (DETECTOR, NAIVE_COUNT, NAIVE_RECENT)
_RECENT_WINDOW = 1800.0

Scorer = Callable[[Sequence[float], float], float]


@dataclass(frozen=True)
class Row:
    dataset: str
    detector: str
    at_hours: float
    n: int
    positives: int
    excluded: int
    auc: float
    recall_at_fpr2: float
    recall_at_fpr5: float
    precision: float
    recall: float
    f1: float
    fpr: float
    median_lead_h: float
    alert_recall: float | None = None  # the product's own alert threshold (detector only)
    alert_fpr: float | None = None
    bootstrap: AucBootstrap | None = None  # AUC intervals (detector only, with --bootstrap)
    forecast: ForecastCheck | None = None  # how "likely ~N replies" held up (detector only)


def product_scorer(baseline: BoardBaseline, settings: DetectSettings) -> Scorer:
    def score(offsets: Sequence[float], at: float) -> float:
        return detect_thread(timeline_from_offsets(offsets, at), baseline, settings).score.value

    return score


def count_so_far(offsets: Sequence[float], at: float) -> float:
    return float(bisect.bisect_right(offsets, at))


def last_30min(offsets: Sequence[float], at: float) -> float:
    return float(bisect.bisect_right(offsets, at) - bisect.bisect_right(offsets, at - _RECENT_WINDOW))


def evaluate(
    dataset: GrowthDataset,
    fit: Sequence[GrowthThread],
    report: Sequence[GrowthThread],
    at_hours: Sequence[float],
    settings: DetectSettings,
    bootstrap: int = 0,
) -> list[Row]:
    """Rows for every detector and T: ``fit`` threads tune, ``report`` threads are measured.

    ``bootstrap`` > 0: that many paired resamples give the detector's AUC interval and its lead
    over each baseline (:mod:`monitor.eval.bootstrap`).
    """
    if not fit or not report:
        raise DatasetError(f"{dataset.directory}: nothing to fit on or to report on")
    baseline = learn_board_baseline([t.offsets for t in fit], settings)
    scorers: dict[str, Scorer] = {
        DETECTOR: product_scorer(baseline, settings),
        NAIVE_COUNT: count_so_far,
        NAIVE_RECENT: last_30min,
    }
    rows: list[Row] = []
    for hours in at_hours:
        at = hours * 3600.0
        fit_kept = [t for t in fit if _open(t, at, dataset.theta)]
        kept = [t for t in report if _open(t, at, dataset.theta)]
        labels = [int(t.escalated) for t in kept]
        fit_labels = [int(t.escalated) for t in fit_kept]
        scored = {name: [scorer(_seen(t, at), at) for t in kept] for name, scorer in scorers.items()}
        intervals = paired_auc_bootstrap(labels, scored, DETECTOR, bootstrap) if bootstrap else None
        for name, scorer in scorers.items():
            scores = scored[name]
            fit_scores = [scorer(_seen(t, at), at) for t in fit_kept]
            at_best = confusion(labels, scores, best_f1_threshold(fit_labels, fit_scores))
            five = threshold_at_fpr(labels, scores, 0.05)
            leads = [
                (t.cross_time - at) / 3600.0
                for t, s in zip(kept, scores, strict=True)
                if t.escalated and s > five and t.cross_time is not None
            ]
            alert = forecast = None
            if name == DETECTOR:
                alert = confusion(labels, scores, settings.general_score - 1e-9)
                forecast = check_forecasts(kept, at, baseline, settings)
            rows.append(
                Row(
                    dataset=dataset.name,
                    detector=name,
                    at_hours=hours,
                    n=len(kept),
                    positives=sum(labels),
                    excluded=len(report) - len(kept),
                    auc=roc_auc(labels, scores),
                    recall_at_fpr2=recall_at_fpr(labels, scores, 0.02),
                    recall_at_fpr5=recall_at_fpr(labels, scores, 0.05),
                    precision=at_best.precision,
                    recall=at_best.recall,
                    f1=at_best.f1,
                    fpr=at_best.fpr,
                    median_lead_h=median(leads),
                    alert_recall=alert.recall if alert else None,
                    alert_fpr=alert.fpr if alert else None,
                    bootstrap=intervals if name == DETECTOR else None,
                    forecast=forecast,
                )
            )
    return rows


def run_eval(
    data_dirs: Sequence[Path],
    at_hours: Sequence[float],
    settings: DetectSettings,
    out: TextIO,
    fit_dirs: Sequence[Path] = (),
    bootstrap: int = 0,
) -> list[Row]:
    """Evaluate every folder, print the tables, then one ``RESULT`` line per detector, T and folder."""
    fit_by_name = {d.name: d for d in fit_dirs}
    rows: list[Row] = []
    for directory in data_dirs:
        dataset = load_dataset(directory)
        if fit_dirs:
            if directory.name not in fit_by_name:
                raise DatasetError(f"{directory}: no folder named {directory.name!r} among --fit-data")
            fit = list(load_dataset(fit_by_name[directory.name]).threads)
            report = list(dataset.threads)
            where = f"fitted on all of {fit_by_name[directory.name]}, reporting on all of {directory}"
        else:
            fit = [t for t in dataset.threads if split_part(t.thread_id) == FIT]
            report = [t for t in dataset.threads if split_part(t.thread_id) == REPORT]
            where = (
                f"fitted on part '{FIT}' ({len(fit)} threads), reporting on part '{REPORT}' "
                f"({len(report)} threads; split = sha256 of thread id, odd -> {REPORT})"
            )
        found = evaluate(dataset, fit, report, at_hours, settings, bootstrap)
        _print_table(dataset, where, found, out)
        rows.extend(found)
    for row in rows:
        print(result_line(row), file=out)
    return rows


def result_line(row: Row) -> str:
    return (
        f"RESULT detector={row.detector} T={_hours(row.at_hours)} auc={row.auc:.3f} "
        f"recall_at_fpr2={row.recall_at_fpr2:.3f} recall_at_fpr5={row.recall_at_fpr5:.3f} "
        f"f1={row.f1:.3f} median_lead_h={row.median_lead_h:.2f} dataset={row.dataset} "
        f"n={row.n} positives={row.positives}"
    )


def _print_table(dataset: GrowthDataset, where: str, rows: Sequence[Row], out: TextIO) -> None:
    print(f"\n## {dataset.name}: theta={dataset.theta}; {where}", file=out)
    print(
        "| T | detector | n (pos) | excl | AUC | recall@FPR≤2% | recall@FPR≤5% | "
        "P / R / F1 / FPR at fit-part F1-best threshold | median lead (h) |",
        file=out,
    )
    print("|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        print(
            f"| {_hours(r.at_hours)} | {r.detector} | {r.n} ({r.positives}) | {r.excluded} | {r.auc:.3f} | "
            f"{r.recall_at_fpr2:.3f} | {r.recall_at_fpr5:.3f} | "
            f"{r.precision:.2f} / {r.recall:.2f} / {r.f1:.3f} / {r.fpr:.3f} | {r.median_lead_h:.2f} |",
            file=out,
        )
    for r in rows:
        if r.alert_recall is not None and r.alert_fpr is not None:
            print(
                f"  {_hours(r.at_hours)}: at the product's own alert threshold (score >= general_score) "
                f"recall {r.alert_recall:.2f}, FPR {r.alert_fpr:.3f}",
                file=out,
            )
    for r in rows:
        if r.forecast is not None:
            print(
                f"  {_hours(r.at_hours)}: forecast at the alert threshold, {r.forecast.alerted.describe()}; "
                f"every open thread, {r.forecast.every.describe()}",
                file=out,
            )
    for r in rows:
        if r.bootstrap is not None:
            leads = "; ".join(
                f"over {name} {gap.describe(signed=True)}" for name, gap in r.bootstrap.lead.items()
            )
            print(f"  {_hours(r.at_hours)}: AUC {r.bootstrap.auc.describe()}; AUC lead {leads}", file=out)


def _hours(value: float) -> str:
    return f"{value:g}h"


def _seen(thread: GrowthThread, at: float) -> Sequence[float]:
    return thread.offsets[: bisect.bisect_right(thread.offsets, at)]


def _open(thread: GrowthThread, at: float, theta: int) -> bool:
    """Still an early-warning target at ``at``: not yet at theta."""
    return theta <= 0 or bisect.bisect_right(thread.offsets, at) < theta
