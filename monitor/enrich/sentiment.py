"""Sentiment scoring behind one small protocol. Scores run 0 (negative) .. 1 (positive)."""

from __future__ import annotations

import re
from typing import Protocol

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


class Scorer(Protocol):
    name: str

    def score(self, text: str) -> float:
        """Probability that ``text`` is positive, 0..1."""
        ...


class SnowNLPScorer:
    """Stock SnowNLP. Long posts are scored sentence by sentence and the most negative
    half weighs in, so one polite sentence does not hide a complaint."""

    name = "snownlp-stock"

    def __init__(self) -> None:
        from snownlp import SnowNLP  # imported lazily: loading the model takes a second

        self._snownlp = SnowNLP

    def score(self, text: str) -> float:
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 2]
        if not sentences:
            return 0.5
        scores = sorted(float(self._snownlp(s).sentiments) for s in sentences)
        lower_half = scores[: max(1, (len(scores) + 1) // 2)]
        return sum(lower_half) / len(lower_half)
