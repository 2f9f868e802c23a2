"""Retrain the shipped sentiment model and calibrate its threshold (and stock SnowNLP's).

    python -m monitor.enrich.train_sentiment --data-dir DATA_DIR/sentiment \\
        --out monitor/enrich/models/forum-v1.bayes.json.gz [--stock-card]

Reads ``<dataset>/train.csv`` and ``<dataset>/dev.csv`` (``label,text``; 1 positive, 0
negative) of the data sets in :data:`WEIGHTS`. Trains on the train splits only; the dev
splits choose the negative threshold (the one that maximises macro-F1 averaged over the dev
sets, each weighted equally) and give the figures written to the model card beside the model
(``forum-v1.json``). ``--stock-card`` does the same for stock SnowNLP (``stock.json``).
Deterministic: the same data and options give the same files, byte for byte. Everything is
described in ``monitor/enrich/models/TRAINING.md``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from monitor.enrich.segment import default_segmenter
from monitor.enrich.sentiment import (
    COMPLAINT_BELOW,
    WORST_SENTENCE_WEIGHT,
    BayesScorer,
    Scorer,
    SnowNLPScorer,
    skip_reason,
)
from monitor.enrich.sentiment_models import BayesModel, ModelCard, card_path, features
from monitor.enrich.sentiment_text import NEGATION_SCOPE, clean, tokens
from monitor.eval.sentiment_metrics import calibrate_threshold, evaluate

log = logging.getLogger(__name__)

# Weight of one training post of each data set. smp2020_ewect is labelled by people and closest
# to forum complaints; weibo_senti_100k's labels follow its emoticons; reviews keep review text good.
WEIGHTS = {
    "smp2020_ewect": 3.0,
    "weibo_senti_100k": 1.0,
    "waimai_10k": 1.0,
    "online_shopping_10_cats": 1.0,
}
MIN_COUNT = 5.0
ALPHA = 1.0
# Emoticons count once per post, after the length normalisation, at most EMOTICON_CAP each. The
# cap and LENGTH_POWER were chosen on human labels only (5-fold cross-validation on the smp2020
# train split and its dev split), never on the emoticon-labelled weibo set: see TRAINING.md.
EMOTICON_CAP = 0.75
EMOTICONS_PER_POST = True
LENGTH_POWER = 0.65
# Words a negator negates are marked (没 NOT_掉线) at training and at scoring: see TRAINING.md,
# "Third round".
NEGATION = True


def read_rows(path: Path) -> list[tuple[int, str]]:
    """``(label, text)`` rows of a ``label,text`` CSV file."""
    with path.open(encoding="utf-8", newline="") as stream:
        return [(int(row["label"]), row["text"]) for row in csv.DictReader(stream)]


def _tokenise(texts: Sequence[str], negation: bool = NEGATION) -> list[list[str]]:
    segment = default_segmenter().segment
    return [list(tokens(clean(text), segment, negation=negation)) for text in texts]


def tokenise_all(texts: Sequence[str], workers: int, negation: bool = NEGATION) -> list[list[str]]:
    """Tokens of every text, in order, using ``workers`` processes (1: this process)."""
    if workers <= 1 or len(texts) < 2000:
        return _tokenise(texts, negation)
    size = 500
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        tokenised = pool.map(_tokenise, chunks, [negation] * len(chunks))
        return [row for chunk in tokenised for row in chunk]


def train(
    data_dir: Path,
    name: str,
    *,
    weights: dict[str, float] = WEIGHTS,
    min_count: float = MIN_COUNT,
    alpha: float = ALPHA,
    emoticon_cap: float = EMOTICON_CAP,
    emoticons_per_post: bool = EMOTICONS_PER_POST,
    length_power: float = LENGTH_POWER,
    negation: bool = NEGATION,
    workers: int = 2,
) -> BayesModel:
    """Weighted binary feature counts over the train splits, pruned to ``min_count``."""
    pos: dict[str, float] = {}
    neg: dict[str, float] = {}
    rows = [
        (dataset, label, text)
        for dataset in weights
        for label, text in read_rows(data_dir / dataset / "train.csv")
    ]
    started = time.monotonic()
    token_lists = tokenise_all([text for _, _, text in rows], workers, negation)
    log.info("%d training posts tokenised in %.0f s", len(rows), time.monotonic() - started)
    for (dataset, label, _), post_tokens in zip(rows, token_lists, strict=True):
        counts = pos if label == 1 else neg
        for feature in features(post_tokens):
            counts[feature] = counts.get(feature, 0.0) + weights[dataset]
    kept = {
        feature: (round(pos.get(feature, 0.0), 2), round(neg.get(feature, 0.0), 2))
        for feature in sorted(pos.keys() | neg.keys())
        if pos.get(feature, 0.0) + neg.get(feature, 0.0) >= min_count
    }
    log.info(
        "%d features, %d kept (weighted count >= %s)", len(pos.keys() | neg.keys()), len(kept), min_count
    )
    return BayesModel(
        name,
        kept,
        alpha=alpha,
        emoticon_cap=emoticon_cap,
        length_power=length_power,
        bigrams=True,
        emoticons_per_post=emoticons_per_post,
        negation=negation,
    )


def dev_figures(
    data_dir: Path, scorer: Scorer, datasets: Sequence[str], threshold: float | None = None
) -> tuple[float, dict[str, dict[str, float]]]:
    """Calibrate the threshold on the dev splits (unless given) and measure each of them.

    Rows the product does not score (no words: emoji or emoticons only) are left out, as in
    ``monitor eval sentiment``.
    """
    scored: dict[str, tuple[list[int], list[float]]] = {}
    for dataset in datasets:
        rows = [row for row in read_rows(data_dir / dataset / "dev.csv") if skip_reason(row[1]) is None]
        started = time.monotonic()
        scores = [scorer.score(text) for _, text in rows]
        elapsed = time.monotonic() - started
        log.info(
            "%s dev: %d posts scored by %s, %.0f posts/s",
            dataset,
            len(rows),
            scorer.name,
            len(rows) / elapsed,
        )
        scored[dataset] = ([label for label, _ in rows], scores)
    if threshold is None:
        threshold = calibrate_threshold(list(scored.values()))
    figures = {}
    for dataset, (labels, scores) in scored.items():
        metrics = asdict(evaluate(labels, scores, threshold))
        figures[dataset] = {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}
    return threshold, figures


def _card(name: str, threshold: float, figures: dict[str, dict[str, float]], description: str) -> ModelCard:
    return ModelCard(
        name=name,
        negative_below=round(threshold, 6),
        description=description,
        extra={
            "threshold_rule": "maximises macro-F1 averaged over the dev splits, each weighted equally",
            "calibrated": datetime.now(UTC).date().isoformat(),
            "dev": figures,
        },
    )


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.enrich.train_sentiment", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="folder with <dataset>/train.csv, dev.csv"
    )
    parser.add_argument("--out", type=Path, required=True, help="model file to write (*.bayes.json.gz)")
    parser.add_argument("--name", default=None, help="model name (default: from --out)")
    parser.add_argument("--workers", type=int, default=2, help="processes for segmentation (default 2)")
    parser.add_argument("--stock-card", action="store_true", help="also calibrate stock SnowNLP (stock.json)")
    parser.add_argument(
        "--calibrate-only", action="store_true", help="keep the model in --out; only calibrate and measure"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    name = args.name or args.out.name.split(".")[0]
    previous: dict[str, Any] = {}
    if args.calibrate_only:
        model = BayesModel.load(args.out)
        if card_path(args.out).is_file():
            previous = ModelCard.read(card_path(args.out)).extra
    else:
        started = time.monotonic()
        model = train(args.data_dir, name, workers=args.workers)
        previous["training_seconds"] = round(time.monotonic() - started)
        model.save(args.out)
    size = args.out.stat().st_size / 1e6
    out(f"model {args.out}: {len(model.counts)} features, {size:.2f} MB")
    datasets = list(WEIGHTS)
    provisional = ModelCard(name=model.name, negative_below=0.5)
    threshold, figures = dev_figures(args.data_dir, BayesScorer(model, provisional), datasets)
    description = (
        "Naive Bayes over SnowNLP-segmented words, word bigrams and emoticons; trained on the train "
        "splits of " + ", ".join(f"{d} (weight {w:g})" for d, w in WEIGHTS.items()) + "; research data, "
        f"see TRAINING.md. Features kept at weighted count >= {MIN_COUNT:g}; alpha {ALPHA:g}; "
        f"emoticons once per post, outside the length normalisation, capped at {EMOTICON_CAP:g}; "
        f"length power {LENGTH_POWER:g}"
        + (f"; words negated by 不/没/未/别/无 … marked (scope {NEGATION_SCOPE} words)." if NEGATION else ".")
    )
    card = _card(model.name, threshold, figures, description)
    card.extra["training_data"] = {
        dataset: {
            "split": "train",
            "rows": len(read_rows(args.data_dir / dataset / "train.csv")),
            "weight": w,
        }
        for dataset, w in WEIGHTS.items()
    }
    card.extra["options"] = {
        "min_count": MIN_COUNT,
        "alpha": ALPHA,
        "emoticon_cap": EMOTICON_CAP,
        "emoticons_per_post": EMOTICONS_PER_POST,
        "length_power": LENGTH_POWER,
        "negation": {"scope": NEGATION_SCOPE} if NEGATION else None,
        "features": len(model.counts),
        "model_bytes": args.out.stat().st_size,
        "sentence_rule": {"complaint_below": COMPLAINT_BELOW, "worst_sentence_weight": WORST_SENTENCE_WEIGHT},
    }
    if "training_seconds" in previous:
        card.extra["training_seconds"] = previous["training_seconds"]
    card.write(card_path(args.out))
    _report(out, name, threshold, figures)
    if args.stock_card:
        stock_threshold, stock_figures = dev_figures(
            args.data_dir, SnowNLPScorer(negative_below=0.5), datasets
        )
        stock = _card(
            "stock", stock_threshold, stock_figures, "SnowNLP 0.12.3's own sentiment model, unchanged."
        )
        stock.write(args.out.parent / "stock.json")
        _report(out, "stock", stock_threshold, stock_figures)
    return 0


def _report(
    out: Callable[[str], None], name: str, threshold: float, figures: dict[str, dict[str, float]]
) -> None:
    out(f"{name}: negative_below={threshold:.4f}")
    for dataset, metrics in figures.items():
        out(f"  {dataset:26s} " + " ".join(f"{k}={v}" for k, v in metrics.items()))


if __name__ == "__main__":
    sys.exit(main())
