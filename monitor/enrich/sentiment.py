"""Sentiment scoring behind one small protocol. Scores run 0 (negative) .. 1 (positive).

Two scorers, chosen by name with :func:`load_scorer`:

* ``"forum-v1"`` (the default, :data:`DEFAULT_MODEL`) — SnowNLP's kind of naive Bayes model,
  retrained on forum-like Weibo posts and reviews (``monitor/enrich/models/TRAINING.md``),
  scoring sentence by sentence (:class:`BayesScorer`);
* ``"stock"`` — SnowNLP as shipped, on the whole text (:class:`SnowNLPScorer`).

Only ``"stock"`` imports SnowNLP (over 400 MB once its models are loaded): the retrained
models segment with SnowNLP's model read from compact tables (``monitor.enrich.segment``).

A file path to another ``*.bayes.json.gz`` model works too. Each scorer carries
``negative_below``: the threshold calibrated on the dev splits, below which a post counts as
negative. :func:`load_scorer` wraps the scorer in a cache keyed by the text's SHA-256, so
unchanged text is never scored twice. :func:`score_post` scores a post's own words and its
quoted text apart; ``monitor.enrich.sentiment_batch.score_many`` scores large batches in
a process pool.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from monitor.enrich.segment import default_segmenter
from monitor.enrich.sentiment_models import (
    DEFAULT_MODEL,
    MODEL_SUFFIX,
    MODELS_DIR,
    BayesModel,
    ModelCard,
    card_path,
    shipped_models,
)
from monitor.enrich.sentiment_text import clean, has_words, sanitise, sentences, tokens
from monitor.errors import UnknownNameError

log = logging.getLogger(__name__)

MAX_CHARS = 20_000
"""Only the first 20,000 characters of a post are scored (a 100 KB post stays cheap)."""
MIN_SENTENCE_FEATURES = 3
"""A sentence needs this many known features to count as the post's most negative sentence."""
WORST_SENTENCE_WEIGHT = 0.75
"""How far a post's score moves from its whole-text score toward its most negative sentence."""
COMPLAINT_BELOW = 0.15
"""A sentence scoring below this on its own is a clear complaint that pulls the post's score.

Set for the shipped model's score scale: with forum-v1 the rule fires on 17 % of the
multi-sentence dev posts (the first forum-v1, whose scores were more extreme, fired on 16 %
at 0.1)."""
CACHE_SIZE = 50_000

__all__ = [
    "DEFAULT_MODEL",
    "BayesScorer",
    "CachedScorer",
    "PostScore",
    "Scorer",
    "SnowNLPScorer",
    "load_scorer",
    "negative_threshold",
    "score_post",
    "skip_reason",
]


class Scorer(Protocol):
    name: str
    negative_below: float

    def score(self, text: str) -> float:
        """Probability that ``text`` is positive, 0..1."""
        ...


def negative_threshold(scorer: Scorer, override: float | None) -> float:
    """Below this score a post counts as negative: ``[sentiment] negative_threshold`` if set, else the
    scorer's calibrated ``negative_below``."""
    return scorer.negative_below if override is None else override


def skip_reason(text: str) -> str | None:
    """Why ``text`` cannot be scored (``"empty"``, ``"no words"``), or None if it can."""
    if not text or not text.strip():
        return "empty"
    if not has_words(clean(text[:MAX_CHARS])):
        return "no words (only emoji, emoticons, images or punctuation)"
    return None


class SnowNLPScorer:
    """Stock SnowNLP on the whole of a text: ``SnowNLP(text).sentiments``, the same scores.

    It segments with :class:`monitor.enrich.segment.FastSegmenter` (identical words, several
    times faster) and classifies with SnowNLP's own stock Bayes classifier.
    """

    name = "snownlp-stock"

    def __init__(self, negative_below: float | None = None) -> None:
        from snownlp import normal, sentiment  # imported lazily: loading the models takes a second

        self._filter_stop = normal.filter_stop
        self._classifier = sentiment.classifier.classifier  # snownlp.classification.bayes.Bayes
        self._segment = default_segmenter().segment
        if negative_below is None:
            card = MODELS_DIR / "stock.json"
            if card.is_file():
                negative_below = ModelCard.read(card).negative_below
            else:  # an install without the package data: keep working, say so
                log.warning("no model card %s; counting stock scores below 0.5 as negative", card)
                negative_below = 0.5
        self.negative_below = negative_below

    def words(self, text: str) -> list[str]:
        """``snownlp.seg.seg(text)``: Chinese runs segmented, other runs split at whitespace."""
        words: list[str] = []
        for part in _SNOWNLP_ZH.split(text):
            part = part.strip()
            if not part:
                continue
            if _SNOWNLP_ZH.match(part):
                words.extend(self._segment(part))
            else:
                words.extend(word for word in part.split() if word.strip())
        return words

    def score(self, text: str) -> float:
        text = sanitise(text[:MAX_CHARS])
        if len(text.strip()) < 2:
            return 0.5
        label, probability = self._classifier.classify(self._filter_stop(self.words(text)))
        return float(probability if label == "pos" else 1 - probability)


_SNOWNLP_ZH = re.compile("([\u4e00-\u9fa5]+)")


class BayesScorer:
    """A retrained model, scoring each sentence so that polite sentences cannot hide a complaint.

    Rule: ``whole`` is the score of all the post's features together; ``worst`` is the lowest
    score of one sentence with at least :data:`MIN_SENTENCE_FEATURES` known features. When
    ``worst`` is a clear complaint (below :data:`COMPLAINT_BELOW`) and lower than ``whole``,
    the post scores ``whole + WORST_SENTENCE_WEIGHT * (worst - whole)`` — three quarters of
    the way to that sentence; otherwise ``whole``. Five sentences of praise and one clear
    complaint read negative. (On the dev splits, mostly one or two sentences labelled for their
    overall tone, the rule costs at most 0.0055 ROC-AUC; see TRAINING.md.)
    """

    def __init__(self, model: BayesModel, card: ModelCard) -> None:
        self.model = model
        self.name = model.name
        self.negative_below = card.negative_below
        self.card = card
        self._segment = default_segmenter().segment

    def sentence_tokens(self, text: str) -> list[list[str]]:
        """Tokens of each sentence of ``text`` (its first :data:`MAX_CHARS` characters)."""
        negation = self.model.negation
        return [
            list(tokens(sentence, self._segment, negation=negation))
            for sentence in sentences(clean(text[:MAX_CHARS]))
        ]

    def score(self, text: str) -> float:
        parts = self.sentence_tokens(text)
        whole = self.model.score_tokens([token for part in parts for token in part])
        if len(parts) < 2:
            return whole
        worst = whole
        for part in parts:
            evidence = self.model.evidence(part)
            if evidence.n >= MIN_SENTENCE_FEATURES:
                worst = min(worst, self.model.probability(evidence))
        if worst >= COMPLAINT_BELOW:
            return whole
        return whole + WORST_SENTENCE_WEIGHT * (worst - whole)


class CachedScorer:
    """Any scorer behind a bounded LRU cache keyed by SHA-256 of the model name and the text."""

    def __init__(self, scorer: Scorer, size: int = CACHE_SIZE) -> None:
        self.scorer = scorer
        self.name = scorer.name
        self.negative_below = scorer.negative_below
        self._size = size
        self._cache: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def key(self, text: str) -> bytes:
        payload = f"{self.name}\0{sanitise(text)}".encode()
        return hashlib.sha256(payload).digest()

    def cached(self, text: str) -> float | None:
        """The cached score of ``text``, or None (counts a hit or a miss)."""
        key = self.key(text)
        with self._lock:
            value = self._cache.get(key)
            if value is None:
                self.misses += 1
                return None
            self._cache.move_to_end(key)
            self.hits += 1
            return value

    def remember(self, text: str, value: float) -> None:
        key = self.key(text)
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def score(self, text: str) -> float:
        value = self.cached(text)
        if value is None:
            value = self.scorer.score(text)
            self.remember(text, value)
        return value


def load_scorer(model: str = DEFAULT_MODEL) -> CachedScorer:
    """``"stock"``, a shipped model's name (:func:`shipped_models`) or a path to a model file.

    Raises :class:`~monitor.errors.UnknownNameError` for anything else, and
    :class:`~monitor.errors.ConfigError` for a file that is not a model.
    """
    if model == "stock":
        return CachedScorer(SnowNLPScorer())
    path = MODELS_DIR / f"{model}{MODEL_SUFFIX}"
    if not path.is_file():
        path = Path(model)
        if not path.is_file():
            names = ", ".join(["stock", *shipped_models()])
            raise UnknownNameError(
                f"unknown sentiment model {model!r}: not a shipped model ({names}) nor a model file"
            )
    loaded = BayesModel.load(path)
    card_file = card_path(path)
    if card_file.is_file():
        card = ModelCard.read(card_file)
    else:
        log.warning("no model card %s beside %s; counting scores below 0.5 as negative", card_file, path)
        card = ModelCard(name=loaded.name, negative_below=0.5)
    return CachedScorer(BayesScorer(loaded, card))


@dataclass(frozen=True)
class PostScore:
    """Scores of a post's own words and of the text it quotes; None (with the reason) if unscored."""

    own: float | None
    quoted: float | None
    own_skipped: str | None = None
    quoted_skipped: str | None = None


def score_post(scorer: Scorer, text: str, quoted: str) -> PostScore:
    """Score a post's own words and its quoted text apart (a quote is someone else's words)."""
    own_reason, quoted_reason = skip_reason(text), skip_reason(quoted)
    return PostScore(
        own=scorer.score(text) if own_reason is None else None,
        quoted=scorer.score(quoted) if quoted_reason is None else None,
        own_skipped=own_reason,
        quoted_skipped=quoted_reason,
    )
