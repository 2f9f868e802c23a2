"""Benchmark: posts per second of each way to score sentiment, on the dev CSVs.

    python -m monitor.enrich.bench_sentiment --data-dir DATA_DIR/sentiment [--limit 2000]

For each ``<dataset>/dev.csv`` (its first ``--limit`` rows) it prints posts/s of:

* ``snownlp``  — ``SnowNLP(text).sentiments``, the library as shipped (first ``--snownlp-limit`` rows);
* ``stock``    — :class:`~monitor.enrich.sentiment.SnowNLPScorer`: the same scores, fast segmenter;
* ``forum-v1`` — the retrained model in this process, sentence by sentence;
* ``pool``     — the retrained model through ``score_many`` with ``--workers`` processes
  (0: one per CPU), worker start-up and model loading included, on all the rows together.

Caches are cleared before each measurement (no content-hash cache; the segmenter's table
cache starts empty), so every figure is for text never seen before.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.enrich.segment import default_segmenter
from monitor.enrich.sentiment import DEFAULT_MODEL, load_scorer
from monitor.enrich.sentiment_batch import resolve_workers, score_many
from monitor.enrich.train_sentiment import WEIGHTS, read_rows


def _rate(score: Callable[[list[str]], object], texts: list[str]) -> float:
    default_segmenter().clear_cache()
    started = time.perf_counter()
    score(texts)
    return len(texts) / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.enrich.bench_sentiment", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=2000, help="rows of each dev file (default 2000)")
    parser.add_argument("--snownlp-limit", type=int, default=300, help="rows for the slow library (300)")
    parser.add_argument("--workers", type=int, default=0, help="pool processes (0: one per CPU)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)

    from snownlp import SnowNLP

    stock = load_scorer("stock").scorer
    retrained = load_scorer(args.model).scorer
    print(f"{os.cpu_count()} CPUs; posts/s (higher is better)")
    print(f"{'dev set':26} {'rows':>6} {'chars':>5} {'snownlp':>8} {'stock':>8} {args.model:>9} {'pool':>8}")
    everything: list[str] = []
    for dataset in WEIGHTS:
        texts = [text for _, text in read_rows(args.data_dir / dataset / "dev.csv")][: args.limit]
        everything.extend(texts)
        chars = sum(map(len, texts)) / max(len(texts), 1)
        library = _rate(
            lambda ts: [SnowNLP(t).sentiments for t in ts if t.strip()], texts[: args.snownlp_limit]
        )
        fast_stock = _rate(lambda ts: [stock.score(t) for t in ts], texts)
        model = _rate(lambda ts: [retrained.score(t) for t in ts], texts)
        print(f"{dataset:26} {len(texts):>6} {chars:>5.0f} {library:>8.0f} {fast_stock:>8.0f} {model:>9.0f}")
    chars = sum(map(len, everything)) / max(len(everything), 1)
    model = _rate(lambda ts: [retrained.score(t) for t in ts], everything)
    workers = resolve_workers(args.workers, len(everything), min_pool_batch=1)

    def pooled(ts: list[str]) -> object:
        return score_many(args.model, ts, args.workers, cache=False, min_pool_batch=1)

    first, second = _rate(pooled, everything), _rate(pooled, everything)
    print(
        f"{'all of them':26} {len(everything):>6} {chars:>5.0f} {'':>8} {'':>8} {model:>9.0f} {first:>8.0f}"
    )
    print(
        f"pool: {workers} worker processes, start-up included: {first:.0f} posts/s the first time "
        f"(the fork server loads the segmentation table and the model), {second:.0f} posts/s the next time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
