"""``monitor eval sentiment``: a sentiment model and stock SnowNLP side by side on labelled posts.

    monitor eval sentiment --data dev.csv [--model forum-v1|stock|PATH] [--limit N] [--workers N]

The CSV has the columns ``label,text`` (1 positive, 0 negative). Both models score the same
rows (texts that cannot be scored — empty, emoji-only — are left out of both), each with its
own calibrated ``negative_below`` threshold. The last lines are machine-readable, one per
model::

    RESULT model=forum-v1 n=2705 accuracy=0.8832 macro_f1=0.8790 neg_f1=0.8974 auc=0.9515 posts_per_s=1234.5
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from monitor.commands.eval_group import eval_subcommands
from monitor.errors import ConfigError
from monitor.eval.sentiment_metrics import Metrics, evaluate

STOCK = "stock"
DEFAULT_MODEL = "forum-v1"  # monitor.enrich.sentiment_models.DEFAULT_MODEL (a test keeps them equal)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = eval_subcommands(commands).add_parser(
        "sentiment",
        help="measure a sentiment model against stock SnowNLP on a labelled CSV (label,text)",
        description="Score a labelled CSV (label,text; 1 = positive) with a sentiment model and with "
        "stock SnowNLP, on the same rows, each with its calibrated threshold; print accuracy, macro-F1, "
        "negative-class F1, ROC-AUC and posts/s, and last one RESULT line per model.",
    )
    parser.add_argument("--data", type=Path, required=True, help="CSV with columns label,text (1 = positive)")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"shipped model name, 'stock' or a model file (default {DEFAULT_MODEL})",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    parser.add_argument(
        "--workers", type=int, default=0, help="scoring processes (0: one per CPU for large files; 1: none)"
    )
    parser.set_defaults(handler=run)


def read_labelled(path: Path, limit: int | None = None) -> tuple[list[int], list[str]]:
    """Labels and texts of a ``label,text`` CSV; problems are reported with line numbers."""
    labels: list[int] = []
    texts: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as stream:
            reader = csv.DictReader(stream)
            if reader.fieldnames is None or not {"label", "text"} <= set(reader.fieldnames):
                raise ConfigError([f"{path}: header: needs the columns label,text, got {reader.fieldnames}"])
            for row in reader:
                if limit is not None and len(labels) >= limit:
                    break
                label = (row.get("label") or "").strip()
                if label not in ("0", "1"):
                    raise ConfigError(
                        [f"{path}: line {reader.line_num}: label: must be 0 or 1, got {label!r}"]
                    )
                labels.append(int(label))
                texts.append(row.get("text") or "")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from exc
    except csv.Error as exc:
        raise ConfigError([f"{path}: not a CSV file: {exc}"]) from exc
    return labels, texts


def run(args: argparse.Namespace) -> int:
    # Imported here: SnowNLP loads its models on import (~5 s), which no other command should pay.
    from monitor.enrich.segment import default_segmenter
    from monitor.enrich.sentiment_batch import get_scorer, score_many

    labels, texts = read_labelled(args.data, args.limit)
    models = [args.model] if args.model == STOCK else [args.model, STOCK]
    scored: dict[str, tuple[list[float | None], float, float]] = {}
    for model in models:
        negative_below = get_scorer(model).negative_below  # loaded before the clock starts
        default_segmenter().clear_cache()  # the second model must not reuse the first one's work
        started = time.perf_counter()
        scores = score_many(model, texts, args.workers, cache=False)
        elapsed = time.perf_counter() - started
        scored[model] = (scores, elapsed, negative_below)
    # The same rows for every model: those that each of them scored.
    keep = [i for i in range(len(texts)) if all(scored[m][0][i] is not None for m in models)]
    skipped = len(texts) - len(keep)
    print(f"{args.data}: {len(texts)} rows, {len(keep)} scored by every model ({skipped} without words)")
    header = ("model", "threshold", "accuracy", "macro-F1", "neg-F1", "ROC-AUC", "posts/s")
    print("{:>16} {:>9} {:>8} {:>8} {:>7} {:>7} {:>9}".format(*header))
    results: list[tuple[str, Metrics, float]] = []
    for model in models:
        scores, elapsed, negative_below = scored[model]
        metrics = evaluate([labels[i] for i in keep], [scores[i] for i in keep], negative_below)
        speed = len(texts) / elapsed if elapsed > 0 else float("inf")
        name = get_scorer(model).name
        print(
            f"{name:>16} {negative_below:>9.4f} {metrics.accuracy:>8.4f} {metrics.macro_f1:>8.4f} "
            f"{metrics.neg_f1:>7.4f} {metrics.auc:>7.4f} {speed:>9.1f}"
        )
        results.append((name, metrics, speed))
    for name, metrics, speed in results:
        print(
            f"RESULT model={name} n={metrics.n} accuracy={metrics.accuracy:.4f} "
            f"macro_f1={metrics.macro_f1:.4f} neg_f1={metrics.neg_f1:.4f} auc={metrics.auc:.4f} "
            f"posts_per_s={speed:.1f}"
        )
    sys.stdout.flush()
    return 0
