"""Crisis signals in a post: media, lawyers, regulators, 3·15, 维权, collective action, "me too"
replies, threats to spread or leave, and safety — from the editable lexicon ``lexicon/signals.yaml``.

:func:`detect_signals` returns at most one :class:`Signal` per name: its first occurrence in the
post's own words that counts. An occurrence does not count when

- it is negated (没有找律师, 不会起诉, 不是记者): a negation cue stands before it with at most a few
  light words between them (the rule and the word lists are in the lexicon file); or
- it was copied from the quoted post: the text around it, at least six characters more than the
  word, appears word for word in ``quoted`` (the pipeline passes a post's own words as ``text`` and
  the Discuz! quote as ``quoted``; this catches quotes pasted into the reply by hand). A reply that
  quotes someone's 我也遇到了，交了钱三个月没退 does not say it again; a reply that is just
  我也遇到了！ does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.enrich.text import TermIndex, fold, fold_term
from monitor.errors import ConfigError

RESONANCE = "resonance"


class Signal(str):
    """A crisis signal found in a post.

    It *is* its name (``Signal("lawyer", "律师", 3, 5) == "lawyer"``), so code that stores or
    compares signal names keeps working; ``term`` is the post's own text at ``start:end``.
    """

    name: str
    term: str
    start: int
    end: int

    def __new__(cls, name: str, term: str, start: int, end: int) -> Signal:
        signal = super().__new__(cls, name)
        for key, value in (("name", name), ("term", term), ("start", start), ("end", end)):
            object.__setattr__(signal, key, value)
        return signal

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("Signal is immutable")

    def __repr__(self) -> str:
        return f"Signal(name={self.name!r}, term={self.term!r}, start={self.start}, end={self.end})"

    def __reduce__(self) -> tuple[type[Signal], tuple[str, str, int, int]]:
        return Signal, (self.name, self.term, self.start, self.end)

    def as_dict(self) -> dict[str, str | int]:
        """What to store per post: ``{"name", "term", "start", "end"}``."""
        return {"name": self.name, "term": self.term, "start": self.start, "end": self.end}


def signal_name(stored: str | Mapping[str, Any]) -> str:
    """The name of a stored signal: a plain name (older rows) or an :meth:`Signal.as_dict` dict."""
    return stored if isinstance(stored, str) else str(stored["name"])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _words(value: object) -> object:
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise ValueError(f"every word must be quoted text, got {type(item).__name__} {item!r}")
    return value


class NegationRule(_Model):
    max_gap: int = Field(4, ge=0, le=10)
    cues: list[str] = Field(min_length=1)
    not_cues: list[str] = Field(default_factory=list)
    light_words: list[str] = Field(default_factory=list)

    _check_words = field_validator("cues", "not_cues", "light_words", mode="before")(_words)


class SignalEntry(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    negatable: bool = True
    terms: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    not_after: list[str] = Field(
        default_factory=list
    )  # an occurrence right after one of these does not count
    not_after_reach: int = Field(4, ge=1, le=20)  # characters before the occurrence looked at

    _check_words = field_validator("terms", "patterns", "not_after", mode="before")(_words)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return value


class SignalLexicon(_Model):
    negation: NegationRule
    signals: list[SignalEntry] = Field(min_length=1)

    @field_validator("signals")
    @classmethod
    def _unique(cls, value: list[SignalEntry]) -> list[SignalEntry]:
        names = [s.name for s in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate signal names: {', '.join(duplicates)}")
        return value


def default_lexicon_path() -> Path:
    return Path(str(resources.files("monitor.enrich") / "lexicon" / "signals.yaml"))


def load_signal_lexicon(path: Path | None = None) -> SignalLexicon:
    """Read and validate a signal lexicon; :class:`ConfigError` names the file and key."""
    file = path or default_lexicon_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        return SignalLexicon.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError([f"{file}: cannot read the signal lexicon: {exc}"]) from exc
    except ValidationError as exc:
        raise ConfigError(
            [
                f"{file}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
                f"{str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            ]
        ) from exc


@dataclass(frozen=True)
class _Candidate:
    start: int  # folded
    end: int
    name: str


class Negation:
    """The lexicon's negation rule over folded text."""

    def __init__(self, rule: NegationRule, extra_light_words: list[str]) -> None:
        cues = sorted({fold_term(c) for c in rule.cues}, key=len, reverse=True)
        light = sorted({fold_term(w) for w in [*rule.light_words, *extra_light_words]}, key=len, reverse=True)
        light_alternation = "|".join(re.escape(w) for w in light if w) or "(?!)"
        self._pattern = re.compile(f"({'|'.join(re.escape(c) for c in cues)})((?:{light_alternation})*)\\Z")
        self._not_cues = [fold_term(c) for c in rule.not_cues]
        self._max_gap = rule.max_gap
        self._reach = max(len(c) for c in cues) + rule.max_gap

    def negated(self, folded: str, start: int) -> bool:
        """Whether the word at ``folded[start:]`` is negated."""
        offset = max(0, start - self._reach)
        window = folded[offset:start]
        for begin in range(len(window)):
            found = self._pattern.match(window, begin)
            if found is None:
                continue
            if len(found.group(2)) > self._max_gap:
                continue
            if not self._inside_not_cue(folded, offset + found.start(1), offset + found.end(1)):
                return True
        return False

    def _inside_not_cue(self, folded: str, start: int, end: int) -> bool:
        """Whether the cue at ``start:end`` is part of a phrase that is no negation (不得不)."""
        for phrase in self._not_cues:
            low = max(0, start - len(phrase) + 1)
            window = folded[low : end + len(phrase) - 1]
            at = window.find(phrase)
            while at != -1:
                if low + at < end and start < low + at + len(phrase):
                    return True
                at = window.find(phrase, at + 1)
        return False


class SignalDetector:
    """A compiled lexicon: one term index for every signal's words, plus its patterns."""

    def __init__(self, lexicon: SignalLexicon) -> None:
        self.lexicon = lexicon
        self.labels: dict[str, str] = {s.name: s.label for s in lexicon.signals}
        self._negatable = {s.name for s in lexicon.signals if s.negatable}
        self._index: TermIndex[str] = TermIndex(
            (fold_term(term), s.name) for s in lexicon.signals for term in s.terms
        )
        self._patterns = [(s.name, re.compile(p, re.MULTILINE)) for s in lexicon.signals for p in s.patterns]
        self._negation = Negation(lexicon.negation, [t for s in lexicon.signals for t in s.terms])
        self._not_after = {
            s.name: ([fold_term(w) for w in s.not_after], s.not_after_reach)
            for s in lexicon.signals
            if s.not_after
        }

    def detect(self, text: str, quoted: str = "") -> list[Signal]:
        """The first counted occurrence of each signal in ``text``, in order of position."""
        folded = fold(text)
        plain = folded.text
        quote = fold(quoted).text if quoted else ""
        found: dict[str, Signal] = {}
        for candidate in sorted(self._candidates(plain), key=lambda c: (c.start, c.start - c.end)):
            if candidate.name in found:
                continue
            if candidate.name in self._negatable and self._negation.negated(plain, candidate.start):
                continue
            if candidate.name in self._not_after:  # 找记者, 联系媒体: a threat to go to them, not them
                cues, reach = self._not_after[candidate.name]
                if any(cue in plain[max(0, candidate.start - reach) : candidate.start] for cue in cues):
                    continue
            if quote and _copied(plain, candidate.start, candidate.end, quote):
                continue
            start, end = folded.source_span(candidate.start, candidate.end)
            found[candidate.name] = Signal(candidate.name, text[start:end], start, end)
        return list(found.values())

    def _candidates(self, plain: str) -> Iterator[_Candidate]:
        for start, end, _term, names in self._index.find(plain):
            for name in names:
                yield _Candidate(start, end, name)
        for name, pattern in self._patterns:
            for hit in pattern.finditer(plain):
                if hit.end() > hit.start():
                    yield _Candidate(hit.start(), hit.end(), name)


_COPY_MARGIN = 6  # characters beyond the word itself that must be copied from the quote
_COPY_REACH = 40


def _copied(plain: str, start: int, end: int, quote: str) -> bool:
    """Whether the word at ``start:end`` stands in a stretch copied from ``quote``.

    The stretch grows from the word while it still occurs in the quote; the word was copied when
    the stretch is at least ``_COPY_MARGIN`` characters longer than the word."""
    if plain[start:end] not in quote:
        return False
    left, right = start, end
    while right < min(len(plain), end + _COPY_REACH) and plain[left : right + 1] in quote:
        right += 1
    while left > max(0, start - _COPY_REACH) and plain[left - 1 : right] in quote:
        left -= 1
    return (right - left) - (end - start) >= _COPY_MARGIN


@cache
def default_detector() -> SignalDetector:
    """The detector for the shipped lexicon (loaded once)."""
    return SignalDetector(load_signal_lexicon())


class _Labels(Mapping[str, str]):
    """Signal name → label, read from the shipped lexicon when first used."""

    def __getitem__(self, name: str) -> str:
        return default_detector().labels[name]

    def __iter__(self) -> Iterator[str]:
        return iter(default_detector().labels)

    def __len__(self) -> int:
        return len(default_detector().labels)


SIGNAL_LABELS: Mapping[str, str] = _Labels()


def detect_signals(text: str, quoted: str = "") -> list[Signal]:
    """The crisis signals in a post's own words ``text`` (see the module docstring)."""
    return default_detector().detect(text, quoted)


def is_me_too(text: str, quoted: str = "") -> bool:
    """True when a reply says the author had the same experience (我也遇到了, 同样被坑, +1).

    Whether it counts as resonance (not a shared good experience) is
    :func:`monitor.enrich.me_too.read_me_too`'s to say."""
    return any(signal.name == RESONANCE for signal in default_detector().detect(text, quoted))
