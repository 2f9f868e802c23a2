"""Scoring many posts: the process's scorers, the content-hash cache, and a process pool.

:func:`score_many` skips what cannot be scored (empty, emoji- or image-only text: ``None``),
answers repeated and already-scored texts from the cache, and scores the rest — in this
process for small batches, in a pool of worker processes for large ones. A pool that breaks
or a chunk that takes longer than :data:`CHUNK_TIMEOUT` seconds never stops the batch: what
is left is scored in this process.

Workers are forked from a fork server (``multiprocessing``'s ``forkserver``: a fresh,
single-threaded process, so no lock held by one of this process's threads is copied into a
worker). The server is started once per process and preloads the segmenter and the default
model (``sentiment_preload``, about half a second), so a pool's workers start in a fraction
of a second.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from monitor.enrich.sentiment import CachedScorer, load_scorer, skip_reason

log = logging.getLogger(__name__)

POOL_MIN_BATCH = 5000
"""Batches with fewer texts to score stay in this process: the first pool of a process waits
for its fork server to start and load the segmenter and the model (later pools start at
once); this process scores 1,000–2,500 posts a second."""
MAX_WORKERS = 8
CHUNK_SIZE = 250
CHUNK_TIMEOUT = 300.0
"""Seconds a worker may take for one chunk before this process scores it instead."""

_scorers: dict[str, CachedScorer] = {}
_scorers_lock = threading.Lock()


def get_scorer(model: str) -> CachedScorer:
    """This process's scorer for ``model`` (loaded once, then shared, cache included)."""
    with _scorers_lock:
        scorer = _scorers.get(model)
        if scorer is None:
            scorer = _scorers[model] = load_scorer(model)
        return scorer


def resolve_workers(workers: int, texts: int, min_pool_batch: int = POOL_MIN_BATCH) -> int:
    """How many processes score ``texts`` texts: 1 means this process."""
    if texts < max(min_pool_batch, 2):
        return 1
    if workers <= 0:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
    return max(1, min(workers, (texts + CHUNK_SIZE - 1) // CHUNK_SIZE))


def score_many(
    model: str,
    texts: list[str],
    workers: int = 0,
    *,
    cache: bool = True,
    min_pool_batch: int = POOL_MIN_BATCH,
) -> list[float | None]:
    """Scores of ``texts`` in order; None for a text that cannot be scored (see ``skip_reason``).

    ``workers``: 0 picks one per CPU (at most :data:`MAX_WORKERS`), 1 scores in this process.
    ``cache=False`` neither reads nor fills the cache (to measure speed).
    """
    scorer = get_scorer(model)
    results: list[float | None] = [None] * len(texts)
    pending: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if not isinstance(text, str) or skip_reason(text) is not None:
            continue
        value = scorer.cached(text) if cache else None
        if value is not None:
            results[index] = value
        else:
            pending.setdefault(text, []).append(index)
    unique = list(pending)
    processes = resolve_workers(workers, len(unique), min_pool_batch)
    if processes > 1:
        scores = _pool_scores(model, unique, processes, scorer)
    else:
        scores = [_score_one(scorer, text) for text in unique]
    for text, value in zip(unique, scores, strict=True):
        if value is None:
            continue
        if cache:
            scorer.remember(text, value)
        for index in pending[text]:
            results[index] = value
    return results


def _score_one(scorer: CachedScorer, text: str) -> float | None:
    try:
        return scorer.scorer.score(text)
    except Exception:  # one bad text must not stop a batch
        log.exception("sentiment scoring failed for a text of %d characters; left unscored", len(text))
        return None


def _pool_scores(model: str, texts: list[str], processes: int, scorer: CachedScorer) -> list[float | None]:
    chunks = [texts[i : i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]
    results: list[list[float | None] | None] = [None] * len(chunks)
    context = get_context("forkserver")
    context.set_forkserver_preload(["monitor.enrich.sentiment_preload"])
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker, initargs=(model,))
    failed = True
    try:
        futures: list[Future[list[float | None]]] = [pool.submit(_score_chunk, chunk) for chunk in chunks]
        for number, future in enumerate(futures):
            results[number] = future.result(timeout=CHUNK_TIMEOUT)
        failed = False
    except (BrokenProcessPool, FutureTimeout, OSError) as exc:
        log.warning("sentiment pool failed (%s); scoring the rest in this process", type(exc).__name__)
    finally:
        if failed:  # stop workers that may be stuck; the executor has no public way to
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
    scores: list[float | None] = []
    for chunk, chunk_scores in zip(chunks, results, strict=True):
        scores.extend(chunk_scores if chunk_scores is not None else [_score_one(scorer, t) for t in chunk])
    return scores


def _start_worker(model: str) -> None:
    get_scorer(model)


def _score_chunk(texts: list[str]) -> list[float | None]:
    (scorer,) = _scorers.values()
    return [_score_one(scorer, text) for text in texts]
