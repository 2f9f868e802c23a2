"""Sentiment models: the retrained Bayes model's file format, features and scoring.

A retrained model is SnowNLP's kind of classifier — naive Bayes over the words SnowNLP's
segmenter finds, with additive smoothing and a prior from the word counts of each class —
with these changes, measured on the dev splits and on human-labelled posts
(``monitor/enrich/models/TRAINING.md``):

* features are the words, the word bigrams and emoticon tags of :func:`features`, each
  counted once per post (binary naive Bayes); with ``negation`` (format 3) the words a
  negator negates come marked (``没 NOT_掉线``, :func:`monitor.enrich.sentiment_text.negate`),
  when the model is trained and when it scores;
* the summed log-odds of the words are divided by ``n ** length_power`` (``n`` known
  features), so long posts are not pushed to 0 or 1 by their length alone. Unknown features
  are ignored;
* an emoticon tag moves the log-odds by at most ``emoticon_cap``, so an emoticon cannot
  outweigh what the words say. With ``emoticons_per_post`` (format 2) the emoticons' log-odds
  are added *after* the length normalisation: an emoticon is one statement of the writer's
  mood about the whole post, not one of many correlated word features, so its weight does not
  shrink as the post grows. Without it (format 1 files) they are normalised with the words.

File format (gzip-compressed JSON, ``<name>.bayes.json.gz``)::

    {"format": "monitor-sentiment-bayes/3", "name": "forum-v1",
     "alpha": 1.0, "emoticon_cap": 0.75, "emoticons_per_post": true,
     "length_power": 0.65, "bigrams": true, "negation": true,
     "totals": {"pos": 123.0, "neg": 456.0},       # weighted feature counts per class
     "features": {"好吃": [812.0, 40.0], ...}}     # weighted [pos, neg] count per feature

Beside it, ``<name>.json`` holds the calibrated ``negative_below`` threshold, the training
data and the dev-set figures (:class:`ModelCard`). The stock SnowNLP model's card is
``stock.json``.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from monitor.enrich.sentiment_text import is_emoticon
from monitor.errors import ConfigError

FORMAT = "monitor-sentiment-bayes/3"
# format 1: emoticons normalised with the words; formats 1 and 2: no negation marks.
FORMATS = ("monitor-sentiment-bayes/1", "monitor-sentiment-bayes/2", FORMAT)
MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = "forum-v1"
MODEL_SUFFIX = ".bayes.json.gz"


def features(tokens: Iterable[str], bigrams: bool = True) -> list[str]:
    """Distinct features of a post's tokens: words, ``a_b`` bigrams of adjacent words, emoticons.

    Emoticon tags stay unigrams: pairing them with words would let a model learn, from
    emoticon-labelled Weibo data, the labelling rule rather than what the words say.
    """
    words: list[str] = []
    emoticons: list[str] = []
    for token in tokens:
        (emoticons if is_emoticon(token) else words).append(token)
    found = list(words)
    if bigrams:
        found.extend(f"{a}_{b}" for a, b in pairwise(words))
    found.extend(emoticons)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class ModelCard:
    """What is stored beside a model: its threshold and where it came from."""

    name: str
    negative_below: float
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> ModelCard:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            threshold = float(data["negative_below"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError([f"{path}: not a sentiment model card: {exc}"]) from exc
        if not 0.0 < threshold < 1.0:
            raise ConfigError([f"{path}: negative_below: must be between 0 and 1, got {threshold}"])
        known = {"name", "negative_below", "description"}
        return cls(
            name=str(data.get("name", path.stem)),
            negative_below=threshold,
            description=str(data.get("description", "")),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def write(self, path: Path) -> None:
        data = {"name": self.name, "negative_below": self.negative_below, "description": self.description}
        data.update(self.extra)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class Evidence(NamedTuple):
    """Summed log-odds of a text's known word features and emoticons, and how many were known."""

    words: float
    emoticons: float
    n: int


class BayesModel:
    """A retrained naive Bayes sentiment model: log-odds per feature, prior, and scoring rule."""

    def __init__(
        self,
        name: str,
        counts: dict[str, tuple[float, float]],
        *,
        alpha: float = 1.0,
        emoticon_cap: float = 3.0,
        length_power: float = 0.5,
        bigrams: bool = True,
        emoticons_per_post: bool = False,
        negation: bool = False,
    ) -> None:
        self.name = name
        self.negation = negation
        self.counts = counts
        self.alpha = alpha
        self.emoticon_cap = emoticon_cap
        self.emoticons_per_post = emoticons_per_post
        self.length_power = length_power
        self.bigrams = bigrams
        vocabulary = len(counts)
        pos_total = sum(pos for pos, _ in counts.values()) + alpha * vocabulary
        neg_total = sum(neg for _, neg in counts.values()) + alpha * vocabulary
        self.prior = math.log(pos_total) - math.log(neg_total) if counts else 0.0
        self.log_odds: dict[str, float] = {}
        for feature, (pos, neg) in counts.items():
            value = math.log((pos + alpha) / pos_total) - math.log((neg + alpha) / neg_total)
            if is_emoticon(feature):
                value = max(-emoticon_cap, min(emoticon_cap, value))
            self.log_odds[feature] = value

    def evidence(self, tokens: Iterable[str]) -> Evidence:
        """Summed log-odds of the known words and emoticons of ``tokens``, and how many were known."""
        log_odds = self.log_odds
        words: list[float] = []
        emoticons: list[float] = []
        for feature in features(tokens, self.bigrams):
            value = log_odds.get(feature)
            if value is not None:
                (emoticons if is_emoticon(feature) else words).append(value)
        return Evidence(math.fsum(words), math.fsum(emoticons), len(words) + len(emoticons))

    def probability(self, evidence: Evidence) -> float:
        """Score 0..1: the prior plus the length-normalised log-odds (emoticons: see the module)."""
        words, emoticons, n = evidence
        if not n:
            z = self.prior
        elif self.emoticons_per_post:
            z = self.prior + words / n**self.length_power + emoticons
        else:
            z = self.prior + (words + emoticons) / n**self.length_power
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def score_tokens(self, tokens: Sequence[str]) -> float:
        return self.probability(self.evidence(tokens))

    # --- file format ---------------------------------------------------------------------

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "name": self.name,
            "alpha": self.alpha,
            "emoticon_cap": self.emoticon_cap,
            "emoticons_per_post": self.emoticons_per_post,
            "length_power": self.length_power,
            "bigrams": self.bigrams,
            "negation": self.negation,
            "features": {k: [_round(p), _round(n)] for k, (p, n) in sorted(self.counts.items())},
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as out:  # mtime=0: same bytes each time
            out.write(text.encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> BayesModel:
        try:
            with gzip.open(path, "rb") as stream:
                data = json.loads(stream.read().decode("utf-8"))
            if data.get("format") not in FORMATS:
                raise ValueError(f"format is {data.get('format')!r}, expected one of {FORMATS!r}")
            counts = {str(k): (float(v[0]), float(v[1])) for k, v in data["features"].items()}
            return cls(
                str(data["name"]),
                counts,
                alpha=float(data["alpha"]),
                emoticon_cap=float(data["emoticon_cap"]),
                length_power=float(data["length_power"]),
                bigrams=bool(data["bigrams"]),
                emoticons_per_post=bool(data.get("emoticons_per_post", False)),
                negation=bool(data.get("negation", False)),
            )
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ConfigError([f"{path}: not a sentiment model: {exc}"]) from exc


def _round(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def shipped_models() -> list[str]:
    """Names of the models shipped in ``monitor/enrich/models/``."""
    return sorted(p.name[: -len(MODEL_SUFFIX)] for p in MODELS_DIR.glob(f"*{MODEL_SUFFIX}"))


def card_path(model_path: Path) -> Path:
    """The card beside a model file: ``x.bayes.json.gz`` → ``x.json``."""
    name = model_path.name
    stem = name[: -len(MODEL_SUFFIX)] if name.endswith(MODEL_SUFFIX) else model_path.stem
    return model_path.with_name(f"{stem}.json")


def card_negative_below(model: str) -> float:
    """The calibrated ``negative_below`` of ``model`` (``"stock"``, a shipped name or a model file's
    path) read from its card, without loading the model; 0.5 when it has no card (as the scorer)."""
    if model == "stock":
        card = MODELS_DIR / "stock.json"
    else:
        path = MODELS_DIR / f"{model}{MODEL_SUFFIX}"
        card = card_path(path if path.is_file() else Path(model))
    return ModelCard.read(card).negative_below if card.is_file() else 0.5
