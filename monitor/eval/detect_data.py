"""Replayable thread-growth data: ``threads.jsonl`` + ``labels.csv`` (+ ``meta.json``).

The format of ``shared/data/cascades`` and ``shared/data/forum_threads/*`` (see their
README files): one JSON line per thread, ``{"thread_id", "ts": [seconds since the first post],
"source"}``, and a label row per thread, ``thread_id,final_size_h,escalated,cross_time_s,…``.
``meta.json`` gives ``theta`` (the size that counts as escalated) and ``horizon_s``.

:func:`split_part` is the deterministic split of a folder into the part the detector's
board baseline and thresholds are fitted on and the part that is reported.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import MonitorError

FIT, REPORT = "fit", "report"
_SPLIT_SALT = "monitor-detect-v1"


class DatasetError(MonitorError, ValueError):
    """A growth data folder is missing a file or holds a malformed row (names file and line)."""


@dataclass(frozen=True)
class GrowthThread:
    thread_id: str
    offsets: tuple[float, ...]  # event times, seconds since the first post, sorted
    source: str
    escalated: bool
    cross_time: float | None  # seconds at which it reached theta; None if never
    final_size: int


@dataclass(frozen=True)
class GrowthDataset:
    name: str
    directory: Path
    theta: int
    horizon: float
    threads: tuple[GrowthThread, ...]


def split_part(thread_id: str) -> str:
    """``fit`` or ``report``: a hash of the thread id, so the split is stable and blind."""
    digest = hashlib.sha256((_SPLIT_SALT + thread_id).encode("utf-8")).hexdigest()
    return REPORT if int(digest, 16) % 2 == 1 else FIT


def find_datasets(paths: Sequence[Path]) -> list[Path]:
    """Folders holding ``threads.jsonl``: each path itself, else its sub-folders (two levels)."""
    found: list[Path] = []
    for path in paths:
        if (path / "threads.jsonl").is_file():
            found.append(path)
            continue
        if not path.is_dir():
            raise DatasetError(f"{path}: no such data folder")
        nested = sorted(
            {p.parent for p in path.glob("threads.jsonl")}
            | {p.parent for p in path.glob("*/threads.jsonl")}
            | {p.parent for p in path.glob("*/*/threads.jsonl")}
        )
        if not nested:
            raise DatasetError(f"{path}: no threads.jsonl here or in its sub-folders")
        found.extend(nested)
    return found


def load_dataset(directory: Path) -> GrowthDataset:
    meta = _read_meta(directory)
    labels = _read_labels(directory / "labels.csv")
    threads: list[GrowthThread] = []
    jsonl = directory / "threads.jsonl"
    try:
        lines = jsonl.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{jsonl}: cannot read ({exc.strerror})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            thread_id = str(row["thread_id"])
            offsets = tuple(sorted(float(t) for t in row["ts"]))
            source = str(row.get("source", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{jsonl}:{number}: not a thread line ({exc})") from exc
        if thread_id not in labels:
            raise DatasetError(f"{jsonl}:{number}: thread {thread_id} has no row in labels.csv")
        escalated, cross_time, final_size = labels[thread_id]
        threads.append(GrowthThread(thread_id, offsets, source, escalated, cross_time, final_size))
    return GrowthDataset(
        name=directory.name,
        directory=directory,
        theta=int(meta.get("theta", 0)),
        horizon=float(meta.get("horizon_s", 86400)),
        threads=tuple(threads),
    )


def _read_meta(directory: Path) -> dict[str, float]:
    path = directory / "meta.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    except ValueError as exc:
        raise DatasetError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("theta"), int | float):
        raise DatasetError(f"{path}: theta: missing or not a number")
    return {k: float(v) for k, v in raw.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def _read_labels(path: Path) -> dict[str, tuple[bool, float | None, int]]:
    labels: dict[str, tuple[bool, float | None, int]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    cross = row["cross_time_s"].strip()
                    labels[row["thread_id"]] = (
                        row["escalated"].strip() == "1",
                        float(cross) if cross else None,
                        int(row["final_size_h"]),
                    )
                except (KeyError, ValueError, AttributeError) as exc:
                    raise DatasetError(f"{path}:{number}: bad label row ({exc})") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    return labels
