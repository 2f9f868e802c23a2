"""Is this thread the same story as that one? Character-bigram containment.

Forum cross-posts retell the same facts in other words ("2万8团费", "三个月不退款"),
so the share of the shorter text's character pairs found in the other text is a
robust, language-agnostic signal. Watch terms are removed first: every thread of
a watch group shares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.enrich.text import normalise

_NOT_WORD = re.compile(r"[\W_]+")


def _bigrams(text: str, ignore: Iterable[str]) -> set[str]:
    plain = normalise(text)
    for term in sorted((normalise(t) for t in ignore), key=len, reverse=True):
        plain = plain.replace(term, " ")
    plain = _NOT_WORD.sub("", plain)
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def story_similarity(a: str, b: str, ignore: Iterable[str] = ()) -> float:
    """Share (0..1) of the shorter text's character bigrams that the other text also has."""
    terms = list(ignore)
    first, second = _bigrams(a, terms), _bigrams(b, terms)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))
