"""Is this thread the same story as that one? Character-trigram containment.

Forum cross-posts copy a complaint word for word (转帖) or retell it with the same specifics
("2万8团费", "三个月不退款"), so the share of the shorter text's character triples found in
the other text is a robust, language-agnostic signal: a copy scores near 1, a retelling
about 0.1-0.3, two different complaints about the same company a few hundredths. (Pairs
were tried first: the common pairs of every complaint — 客服, 退款, 投诉 — put unrelated
stories as close as real retellings.) Watch terms are removed first: every thread of a watch
group shares them.

Shingle sets are cached by text, so comparing a thread against every recent thread of its
watch group at each poll costs one set intersection per pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from monitor.enrich.text import normalise

SHINGLE = 3
_NOT_WORD = re.compile(r"[\W_]+")


def story_shingles(text: str, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The text's character trigrams, after normalising and removing the ``ignore`` terms."""
    return _shingles(text, tuple(sorted(set(ignore))))


@lru_cache(maxsize=4096)
def _shingles(text: str, ignore: tuple[str, ...]) -> frozenset[str]:
    plain = normalise(text)
    for term in sorted((normalise(t) for t in ignore), key=len, reverse=True):
        if term:
            plain = plain.replace(term, " ")
    plain = _NOT_WORD.sub("", plain)
    if len(plain) < SHINGLE:
        return frozenset({plain} if plain else ())
    return frozenset(plain[i : i + SHINGLE] for i in range(len(plain) - SHINGLE + 1))


def containment(first: frozenset[str], second: frozenset[str]) -> float:
    """Share (0..1) of the smaller set that the other set also has."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def story_similarity(a: str, b: str, ignore: Iterable[str] = ()) -> float:
    """Share (0..1) of the shorter text's character trigrams that the other text also has."""
    terms = tuple(ignore)
    return containment(story_shingles(a, terms), story_shingles(b, terms))
