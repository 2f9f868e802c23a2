"""Complaint category — product / service / dealer / policy / other (seed 003) — with the words
that decided it, from the editable lexicon ``lexicon/categories.yaml`` (its header gives the rule).

    >>> result = classify_complaint("客服电话打了二十次都是忙音")
    >>> result.category, result.words
    ('service', ('客服', '电话'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.enrich.signals import Negation, NegationRule
from monitor.enrich.text import TermIndex, fold, fold_term
from monitor.errors import ConfigError

CategoryName = Literal["product", "service", "dealer", "policy", "other"]
CATEGORIES: tuple[str, ...] = get_args(CategoryName)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryEntry(_Model):
    name: CategoryName
    label: str
    words: dict[float, list[str]] = Field(description="weight -> words")
    patterns: dict[float, list[str]] = Field(default_factory=dict, description="weight -> regexes")
    negation_cues: list[str] = Field(
        default_factory=list, description="more negation cues that deny this category's words only"
    )

    @field_validator("negation_cues", mode="before")
    @classmethod
    def _cues_are_text(cls, value: object) -> object:
        for cue in value if isinstance(value, list) else []:
            if not isinstance(cue, str) or not cue.strip():
                raise ValueError(f"every cue must be quoted text, got {type(cue).__name__} {cue!r}")
        return value

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[float, list[str]]) -> dict[float, list[str]]:
        for weight, patterns in value.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"pattern {pattern!r} under weight {weight}: {exc}") from None
        return value

    @field_validator("words")
    @classmethod
    def _words_are_text(cls, value: dict[float, list[str]]) -> dict[float, list[str]]:
        for weight, words in value.items():
            if weight <= 0:
                raise ValueError(f"weight {weight} must be positive")
            for word in words:
                if not fold_term(word):
                    raise ValueError(f"empty word under weight {weight}")
        return value

    @field_validator("words", "patterns", mode="before")
    @classmethod
    def _quoted_words(cls, value: object) -> object:
        if isinstance(value, dict):
            for weight, words in value.items():
                for word in words if isinstance(words, list) else [words]:
                    if not isinstance(word, str):
                        raise ValueError(
                            f"words under weight {weight} must be quoted text, got {type(word).__name__} "
                            f"{word!r}"
                        )
        return value


class CategoryLexicon(_Model):
    min_score: float = Field(1.0, ge=0)
    negation: NegationRule
    praise_window: int = Field(3, ge=0, le=10)
    praise_after: list[str] = Field(default_factory=list)
    categories: list[CategoryEntry] = Field(min_length=1)


def default_category_lexicon_path() -> Path:
    return Path(str(resources.files("monitor.enrich") / "lexicon" / "categories.yaml"))


def load_category_lexicon(path: Path | None = None) -> CategoryLexicon:
    """Read and validate a category lexicon; :class:`ConfigError` names the file and key."""
    file = path or default_category_lexicon_path()
    try:
        return CategoryLexicon.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError([f"{file}: cannot read the category lexicon: {exc}"]) from exc
    except ValidationError as exc:
        raise ConfigError(
            [
                f"{file}: {'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            ]
        ) from exc


@dataclass(frozen=True)
class CategoryResult:
    """The category and the words (as written in the text) that decided it."""

    category: str
    words: tuple[str, ...]
    scores: dict[str, float]

    def explain(self) -> str:
        """``service (客服, 打不通)`` or ``other (no category words)``."""
        return f"{self.category} ({', '.join(self.words) if self.words else 'no category words'})"


class CategoryClassifier:
    def __init__(self, lexicon: CategoryLexicon) -> None:
        self._lexicon = lexicon
        self._order = [c.name for c in lexicon.categories]
        entries = [
            (fold_term(word), (entry.name, float(weight)))
            for entry in lexicon.categories
            for weight, words in entry.words.items()
            for word in words
        ]
        self._index: TermIndex[tuple[str, float]] = TermIndex(entries)
        self._patterns = [
            (re.compile(pattern), entry.name, float(weight))
            for entry in lexicon.categories
            for weight, patterns in entry.patterns.items()
            for pattern in patterns
        ]
        light = [word for word, _ in entries]
        self._negation = Negation(lexicon.negation, light)
        self._denied_by: dict[str, Negation] = {  # a category's own cues, beside the shared ones
            entry.name: Negation(lexicon.negation.model_copy(update={"cues": entry.negation_cues}), light)
            for entry in lexicon.categories
            if entry.negation_cues
        }
        self._praise = [fold_term(p) for p in lexicon.praise_after]

    def classify(self, text: str) -> CategoryResult:
        folded = fold(text)
        plain = folded.text
        hits = _outermost(self._word_hits(plain))
        for hit in sorted(self._pattern_hits(plain)):  # a pattern does not count again what a word did
            if all(hit[1] <= kept[0] or kept[1] <= hit[0] for kept in hits):
                hits.append(hit)
        hits.sort(key=lambda hit: hit[0])
        scores = dict.fromkeys(CATEGORIES, 0.0)
        seen: set[tuple[str, str]] = set()
        words: dict[str, list[str]] = {name: [] for name in CATEGORIES}
        for start, end, values in hits:
            if self._negation.negated(plain, start) or self._praised(plain, end):
                continue
            word = plain[start:end]
            source_start, source_end = folded.source_span(start, end)
            for name, weight in values:
                if (name, word) in seen or self._denied(name, plain, start):
                    continue
                seen.add((name, word))
                scores[name] += weight
                words[name].append(text[source_start:source_end])
        best = max(self._order, key=lambda name: (scores[name], -self._order.index(name)))
        if scores[best] < self._lexicon.min_score:
            return CategoryResult("other", tuple(words["other"]), scores)
        return CategoryResult(best, tuple(words[best]), scores)

    def _word_hits(self, plain: str) -> Iterator[tuple[int, int, list[tuple[str, float]]]]:
        for start, end, _word, values in self._index.find(plain):
            yield start, end, values

    def _pattern_hits(self, plain: str) -> Iterator[tuple[int, int, list[tuple[str, float]]]]:
        for pattern, name, weight in self._patterns:
            for hit in pattern.finditer(plain):
                if hit.end() > hit.start():
                    yield hit.start(), hit.end(), [(name, weight)]

    def _denied(self, category: str, plain: str, start: int) -> bool:
        """Whether one of ``category``'s own cues denies the word at ``start`` (没有强制购物)."""
        negation = self._denied_by.get(category)
        return negation is not None and negation.negated(plain, start)

    def _praised(self, plain: str, end: int) -> bool:
        after = plain[
            end : end + self._lexicon.praise_window + max((len(p) for p in self._praise), default=0)
        ]
        return any(0 <= after.find(p) <= self._lexicon.praise_window for p in self._praise)


def _outermost(
    hits: Iterable[tuple[int, int, list[tuple[str, float]]]],
) -> list[tuple[int, int, list[tuple[str, float]]]]:
    """Drop hits that lie inside a longer hit (霸王条款 hides 条款)."""
    ordered = sorted(hits, key=lambda hit: (hit[0], hit[0] - hit[1]))
    kept: list[tuple[int, int, list[tuple[str, float]]]] = []
    reach = -1
    for hit in ordered:
        if hit[1] <= reach:
            continue
        kept.append(hit)
        reach = max(reach, hit[1])
    return kept


@cache
def default_classifier() -> CategoryClassifier:
    return CategoryClassifier(load_category_lexicon())


def classify_complaint(text: str) -> CategoryResult:
    """The category of a complaint (use the thread's title and opening post) with the deciding words."""
    return default_classifier().classify(text)
