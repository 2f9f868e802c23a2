"""Sentiment scoring behind one small protocol. Scores run 0 (negative) .. 1 (positive)."""

from __future__ import annotations

from typing import Protocol


class Scorer(Protocol):
    name: str

    def score(self, text: str) -> float:
        """Probability that ``text`` is positive, 0..1."""
        ...


class SnowNLPScorer:
    """Stock SnowNLP on the whole of a post's own words (quotes are never passed in)."""

    name = "snownlp-stock"

    def __init__(self) -> None:
        from snownlp import SnowNLP  # imported lazily: loading the model takes a second

        self._snownlp = SnowNLP

    def score(self, text: str) -> float:
        if len(text.strip()) < 2:
            return 0.5
        return float(self._snownlp(text).sentiments)
