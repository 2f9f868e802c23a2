"""Configured extracts (:class:`~monitor.sources.generic_config.Extract`), compiled once and
applied to lxml elements; counts as forums print them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.cssselect import CSSSelector

from monitor.sources.generic_config import Extract
from monitor.sources.markup import Element, css, text_of

_COUNT = re.compile(r"(\d[\d,.\s]*)\s*([kKmMwW万千]?)")
_MULTIPLIERS = {"": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000, "m": 1_000_000}


class Extractor:
    """The first non-empty value a list of extracts finds in a scope element."""

    def __init__(self, extracts: Iterable[Extract]) -> None:
        self._steps = [
            (css(e.css) if e.css else None, e.attr, re.compile(e.pattern) if e.pattern else None)
            for e in extracts
        ]

    def __bool__(self) -> bool:
        return bool(self._steps)

    def value(self, scope: Element) -> str:
        """The first non-empty value: step by step, element by element."""
        for selector, attr, pattern in self._steps:
            for element in _matches(selector, scope):
                raw = (element.get(attr) or "") if attr else text_of(element)
                if pattern is not None:
                    found = pattern.search(raw)
                    raw = (found.group(1) if pattern.groups else found.group(0)) if found else ""
                if raw.strip():
                    return raw.strip()
        return ""

    def pieces(self, scope: Element) -> list[str]:
        """Each text node of the first element found, apart (``<a>1</a><a>2</a>`` → 1, 2)."""
        element = self.element(scope)
        return [] if element is None else [t for t in element.itertext() if t.strip()]

    def element(self, scope: Element) -> Element | None:
        """The first element any step selects (for a link whose href and text are both used)."""
        for selector, _, _ in self._steps:
            found = _matches(selector, scope)
            if found:
                return found[0]
        return None


def _matches(selector: CSSSelector | None, scope: Element) -> list[Element]:
    return [scope] if selector is None else selector(scope)


def read_count(text: str) -> int | None:
    """``1,234`` / ``1.2k`` / ``1.2万`` / ``12 replies`` → int; ``None`` when there is no number."""
    found = _COUNT.search(text)
    if not found:
        return None
    digits = re.sub(r"[,\s]", "", found.group(1)).rstrip(".")
    multiplier = _MULTIPLIERS[found.group(2).lower()]
    try:
        return round(float(digits) * multiplier) if multiplier > 1 else int(float(digits))
    except (ValueError, OverflowError):
        return None


def largest_number(texts: Iterable[str]) -> int | None:
    """The largest integer in ``texts`` ("Page 1 of 3" → 3), ``None`` when there is none."""
    numbers = [int(n) for text in texts for n in re.findall(r"\d{1,9}", text)]
    return max(numbers) if numbers else None
