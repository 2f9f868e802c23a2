"""Watch-group matching: include terms, cancelled by exclude terms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from monitor.config.files import WatchGroupConfig
from monitor.enrich.text import normalise


@dataclass(frozen=True)
class Match:
    group: str
    term: str


class WatchMatcher:
    def __init__(self, groups: Iterable[WatchGroupConfig]) -> None:
        self._groups = [
            (g.name, [normalise(t) for t in g.include], [normalise(t) for t in g.exclude]) for g in groups
        ]

    def match(self, text: str) -> list[Match]:
        """Every group whose include terms occur in ``text`` and whose exclude terms do not."""
        haystack = normalise(text)
        found: list[Match] = []
        for name, include, exclude in self._groups:
            if any(term in haystack for term in exclude):
                continue
            for term in include:
                if term in haystack:
                    found.append(Match(group=name, term=term))
                    break
        return found
