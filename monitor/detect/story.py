"""Is this thread the same story as that one? Character-trigram containment.

Forum cross-posts copy a complaint word for word (转帖) or retell it with the same specifics
("2万8团费", "三个月不退款"), so the share of the shorter text's character triples found in
the other text is a robust, language-agnostic signal: a copy scores near 1, a retelling
about 0.1-0.3, two different complaints about the same company a few hundredths. (Pairs
were tried first: the common pairs of every complaint — 客服, 退款, 投诉 — put unrelated
stories as close as real retellings.) Watch terms are removed first: every thread of a watch
group shares them.

Only the first ``STORY_CHARS`` characters count (title and the start of the opening post: where
a story says what happened). Shingles are kept as sorted 8-byte hashes (``hash()``: stable
within a process, which is all the cache and the story index need) in an array and cached by text
(``CACHED_TEXTS`` of them: 5.2 MB for 1,024 stories of 400 characters, where sets of strings
took 49 MB; 36 MB at most for 4,096 of 1,000 or more), so comparing a thread with another is one
pass over the other's hashes. A board read's story checks go through the watch group's index
(:mod:`monitor.detect.story_index`), which shingles each text of the group once and keeps its array;
the cache serves the checks compared pairwise (a thread checked alone, an alert's cross-posts:
:mod:`monitor.alerting.story_alerts`) and the index's own thread. It must still hold a group's
recent threads: compared pairwise, each thread is compared with all of them in turn, in the same
order, which a least-recently-used cache smaller than that misses every time — with 1,024 entries,
200 threads against 2,000 took 372 s for three polls, against 1.5 s with them all held.

A board's boilerplate (its posting template, its posters' stock phrases: see
:mod:`monitor.detect.boilerplate`) is left out of a comparison through ``drop``.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Collection, Iterable
from functools import lru_cache

from monitor.enrich.text import normalise

SHINGLE = 3
STORY_CHARS = 1000
CACHED_TEXTS = 4096  # watched threads in the spread window the story check holds
_NOT_WORD = re.compile(r"[\W_]+")


def story_shingles(text: str, ignore: Iterable[str] = ()) -> array[int]:
    """The text's distinct character trigrams as sorted hashes, after normalising and removing ``ignore``.

    Shared: never modify the array returned.
    """
    return _shingles(text, tuple(sorted(set(ignore))))


def shingle_set(text: str, ignore: Iterable[str] = ()) -> frozenset[int]:
    """The text's distinct character trigrams as hashes, uncached (for reading many texts once)."""
    return frozenset(_hashes(text, tuple(sorted(set(ignore)))))


@lru_cache(maxsize=CACHED_TEXTS)
def _shingles(text: str, ignore: tuple[str, ...]) -> array[int]:
    return array("q", sorted(_hashes(text, ignore)))


def _hashes(text: str, ignore: tuple[str, ...]) -> set[int]:
    plain = normalise(text)
    for term in sorted((normalise(t) for t in ignore), key=len, reverse=True):
        if term:
            plain = plain.replace(term, " ")
    plain = _NOT_WORD.sub("", plain)[:STORY_CHARS]
    if len(plain) < SHINGLE:
        return {hash(plain)} if plain else set()
    return {hash(plain[i : i + SHINGLE]) for i in range(len(plain) - SHINGLE + 1)}


def containment(first: Collection[int], second: Collection[int]) -> float:
    """Share (0..1) of the smaller collection of distinct shingles that the other one also has."""
    if not first or not second:
        return 0.0
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    lookup = large if isinstance(large, set | frozenset) else set(large)
    return len(lookup.intersection(small)) / len(small)


def story_similarity(
    a: str, b: str, ignore: Iterable[str] = (), drop: Collection[int] = frozenset()
) -> float:
    """Share (0..1) of the shorter text's character trigrams that the other text also has, leaving
    out the trigrams in ``drop`` (the boards' boilerplate)."""
    terms = tuple(ignore)
    return containment(without(story_shingles(a, terms), drop), without(story_shingles(b, terms), drop))


def without(shingles: Collection[int], drop: Collection[int]) -> Collection[int]:
    """``shingles`` less those in ``drop`` (the same collection when there is nothing to drop)."""
    return frozenset(shingles).difference(drop) if drop else shingles
