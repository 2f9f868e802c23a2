"""Text folding and multi-term search, used before matching watch groups, signals and categories.

:func:`fold` makes the forms people type for the same word compare equal:

- Traditional Chinese becomes Simplified, one character at a time (途樂旅行 → 途乐旅行), from a
  table derived from OpenCC's ``TSCharacters.txt`` (``lexicon/t2s_chars.tsv``). Character by
  character on purpose: ``fold(a + b) == fold(a) + fold(b)``, so a folded term is found in a folded
  text wherever the original term stood in the original text (OpenCC's phrase segmentation does not
  promise that), and it is about 100× faster than the pure-Python OpenCC.
- NFKC compatibility folding: full-width letters, digits and punctuation become ASCII (ＳＴＡＲ →
  star, （ → (, ３·１５ → 3·15); then lower case.
- Every run of white space becomes one space; zero-width characters, soft hyphens, variation
  selectors, bidi controls and the other invisible format characters (Unicode category Cf: tag
  characters, interlinear annotation marks …), used to dodge keyword filters (途\u200b乐,
  退\U000e0020款), are dropped; lone surrogates become U+FFFD.

A :class:`Folded` text remembers where each of its characters came from, so a span found in the
folded text maps back to the original (:meth:`Folded.source_span`).

:class:`TermIndex` finds every occurrence of many terms in one pass (an Aho-Corasick automaton from
``pyahocorasick``): the cost depends on the text and the number of hits, not on the number of terms.
A term that starts or ends with an ASCII letter (digit) does not match inside a longer run of ASCII
letters (digits): ``byd`` is not found in ``bydx``, ``pro14`` not in ``pro145``, but ``iphone`` is
found in ``iphone15``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Generic, TypeVar

import ahocorasick  # type: ignore[import-not-found]

V = TypeVar("V")

_SPACE_RUNS = re.compile(r" {2,}")
_DROPPED = [
    *(0x00AD, 0x034F, 0x061C, 0x180E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF),
    *range(0x200B, 0x2010),  # zero-width space, joiners, LRM/RLM
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0x206A, 0x2070),  # deprecated format characters (symmetric swapping, digit shapes)
    *range(0xFFF9, 0xFFFC),  # interlinear annotation marks
    0xE0001,
    *range(0xE0020, 0xE0080),  # tag characters (they spell hidden ASCII)
    *range(0x1BCA0, 0x1BCA4),  # shorthand format controls
    *range(0x13430, 0x13440),  # Egyptian hieroglyph format controls
    *range(0x1D173, 0x1D17B),  # musical beam and phrase controls
]
# Category Cf characters kept: the prepended concatenation marks (U+0600…, U+06DD, U+110BD …),
# which are drawn, not invisible.
# Code points whose folding can differ from themselves (the BMP, mathematical alphanumerics,
# enclosed alphanumerics, CJK compatibility ideographs).
_RANGES = (range(0x0000, 0x10000), range(0x1D400, 0x1D800), range(0x1F100, 0x1F200), range(0x2F800, 0x2FA20))


@cache
def t2s_table() -> dict[str, str]:
    """The shipped Traditional → Simplified character table."""
    table: dict[str, str] = {}
    source = resources.files("monitor.enrich") / "lexicon" / "t2s_chars.tsv"
    for line in source.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[traditional] = simplified
    return table


@cache
def _fold_table() -> dict[int, str]:
    t2s = t2s_table()
    is_normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    table: dict[int, str] = {}
    for block in _RANGES:
        for point in block:
            if 0xD800 <= point <= 0xDFFF:
                table[point] = "\ufffd"
                continue
            char = chr(point)
            if (
                is_normalized("NFKC", char)
                and char.lower() == char
                and char not in t2s
                and (char == " " or not char.isspace())
            ):
                continue
            folded = normalize("NFKC", char).lower()
            folded = "".join(t2s.get(c, c) for c in folded)
            if folded.isspace():
                folded = " "
            if folded != char:
                table[point] = folded
    for point in _DROPPED:
        table[point] = ""
    return table


@cache
def _length_changers() -> re.Pattern[str]:
    """Characters whose folding is not exactly one character long."""
    points = sorted(point for point, folded in _fold_table().items() if len(folded) != 1)
    return re.compile("[" + "".join(re.escape(chr(point)) for point in points) + "]")


@dataclass(frozen=True)
class Folded:
    """A folded text and, where lengths differ, the source index of each of its characters."""

    text: str
    source: str
    index: tuple[int, ...] | None = None  # None: character i came from source character i

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded characters ``start:end`` came from."""
        if self.index is None:
            return start, end
        if start >= end:
            at = self.index[start] if start < len(self.index) else len(self.source)
            return at, at
        return self.index[start], self.index[end - 1] + 1


def fold(text: str) -> Folded:
    """Fold ``text`` for matching (see the module docstring); spans map back with ``source_span``."""
    table = _fold_table()
    folded = text.translate(table)
    index: list[int] | None = None
    if _length_changers().search(text) or not unicodedata.is_normalized("NFC", text):
        folded, index = _fold_slowly(text, table)
    if "  " in folded:
        pieces: list[str] = []
        kept: list[int] = []
        position = 0
        for run in _SPACE_RUNS.finditer(folded):
            pieces.append(folded[position : run.start() + 1])
            kept.extend(index[position : run.start() + 1] if index else range(position, run.start() + 1))
            position = run.end()
        pieces.append(folded[position:])
        kept.extend(index[position:] if index else range(position, len(folded)))
        folded, index = "".join(pieces), kept
    return Folded(folded, text, tuple(index) if index is not None else None)


def _fold_slowly(text: str, table: dict[int, str]) -> tuple[str, list[int]]:
    """Character by character, keeping the source index; composes combining marks (NFC)."""
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        piece = table.get(ord(char), char)
        if out and piece and unicodedata.combining(piece[0]):
            composed = unicodedata.normalize("NFC", out[-1] + piece)
            if len(composed) == 1:
                out[-1] = composed
                continue
        for part in piece:
            out.append(part)
            index.append(position)
    return "".join(out), index


def fold_term(term: str) -> str:
    """A configured term as it is searched for: folded, without surrounding spaces."""
    return fold(term).text.strip()


def normalise(text: str) -> str:
    """Folded text (Simplified, half-width, lower case, single spaces), stripped."""
    return fold(text).text.strip()


def _kind(char: str) -> int:
    """1 for an ASCII letter, 2 for an ASCII digit, 0 otherwise (after folding: lower case)."""
    if "a" <= char <= "z":
        return 1
    if "0" <= char <= "9":
        return 2
    return 0


class TermIndex(Generic[V]):
    """Every occurrence of many folded terms in one pass over a folded text."""

    def __init__(self, entries: Iterable[tuple[str, V]]) -> None:
        self._values: list[list[V]] = []
        self._terms: list[str] = []
        slots: dict[str, int] = {}
        for term, value in entries:
            if not term:
                continue
            slot = slots.get(term)
            if slot is None:
                slot = slots[term] = len(self._terms)
                self._terms.append(term)
                self._values.append([])
            self._values[slot].append(value)
        self._automaton = ahocorasick.Automaton()
        for slot, term in enumerate(self._terms):
            self._automaton.add_word(term, slot)
        if self._terms:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, folded: str) -> Iterator[tuple[int, int, str, list[V]]]:
        """``(start, end, term, values)`` for each occurrence, by end position."""
        if not self._terms or not folded:
            return
        last = len(folded) - 1
        for end_at, slot in self._automaton.iter(folded):
            term = self._terms[slot]
            start = end_at - len(term) + 1
            head = _kind(term[0])
            if head and start > 0 and _kind(folded[start - 1]) == head:
                continue
            tail = _kind(term[-1])
            if tail and end_at < last and _kind(folded[end_at + 1]) == tail:
                continue
            yield start, end_at + 1, term, self._values[slot]
