"""Watch-group matching: every group's terms in one automaton, so the cost stays flat as groups grow.

A group matches a text when

1. one of its ``include`` terms or ``aliases`` occurs — unless that occurrence lies inside (overlaps)
   an occurrence of one of the group's ``exclude`` words (途乐 inside 途乐园 does not count, a
   separate 途乐 in the same post still does); and
2. its ``expression``, if it has one, holds over the terms that occur (outside ``exclude`` words).

A group with only an expression matches when the expression holds. Text and terms are folded the
same way first (Traditional → Simplified, full-width → half-width, case; see
:mod:`monitor.enrich.text`), and spans in results point into the original text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from monitor.config.files import WatchGroupConfig
from monitor.enrich.expressions import Node, evaluate, parse, reasons, render, terms
from monitor.enrich.text import Folded, TermIndex, fold, fold_term

INCLUDE, ALIAS, EXPRESSION, EXCLUDE = "include", "alias", "expression", "exclude"


@dataclass(frozen=True)
class Match:
    """A group that matched: the term that decided it (as configured) and where it stood."""

    group: str
    term: str
    start: int = 0  # span of the term's first counted occurrence in the text given to match()
    end: int = 0
    reason: str = ""  # "include 途乐", "alias Tule", or "expression 途乐 AND 退款: 途乐, 退款"


@dataclass(frozen=True)
class Hit:
    """One occurrence of one of a group's terms."""

    term: str  # as configured
    role: str  # include, alias, expression, exclude
    start: int  # span in the original text
    end: int
    excluded_by: str | None = None  # the exclude word this occurrence lies inside


@dataclass(frozen=True)
class GroupReport:
    """Why a group did or did not match a text (``monitor watch test``)."""

    group: str
    matched: bool
    reason: str
    hits: tuple[Hit, ...]
    expression: str | None = None
    expression_holds: bool | None = None


@dataclass(frozen=True)
class _Group:
    config: WatchGroupConfig
    expression: Node | None
    has_terms: bool  # include terms or aliases


@dataclass(frozen=True)
class _Occurrence:
    start: int  # in the folded text
    end: int
    key: str
    role: str
    term: str


class WatchMatcher:
    """All watch groups compiled into one term index."""

    def __init__(self, groups: Iterable[WatchGroupConfig]) -> None:
        self._groups: list[_Group] = []
        entries: list[tuple[str, tuple[int, str, str]]] = []
        listed: set[tuple[str, int, str]] = set()  # a term a group lists twice (退貨 and 退货) is found once
        for number, config in enumerate(groups):
            node = parse(config.expression) if config.expression is not None else None
            self._groups.append(_Group(config, node, bool(config.include or config.aliases)))
            for role, written in (
                *((INCLUDE, t) for t in config.include),
                *((ALIAS, t) for t in config.aliases),
                *((EXCLUDE, t) for t in config.exclude),
                *((EXPRESSION, t.text) for t in (terms(node) if node is not None else [])),
            ):
                key = fold_term(written)
                if (key, number, role) not in listed:
                    listed.add((key, number, role))
                    entries.append((key, (number, role, written)))
        self._index: TermIndex[tuple[int, str, str]] = TermIndex(entries)
        self._by_name = {g.config.name: g.config for g in self._groups}

    @property
    def groups(self) -> list[WatchGroupConfig]:
        return [g.config for g in self._groups]

    @property
    def term_count(self) -> int:
        """Distinct folded terms in the index."""
        return len(self._index)

    def group(self, name: str) -> WatchGroupConfig:
        try:
            return self._by_name[name]
        except KeyError:
            raise LookupError(f"no watch group {name!r}") from None

    def match(self, text: str) -> list[Match]:
        """Every group that matches ``text``, in configuration order."""
        folded = fold(text)
        found: list[Match] = []
        for number, occurrences in sorted(self._occurrences(folded.text, positive_only=True).items()):
            report = self._decide(number, occurrences, folded, with_hits=False)
            if report.matched:
                found.append(self._match(number, occurrences, folded, report.reason))
        return found

    def explain(self, text: str) -> list[GroupReport]:
        """A report for every group any of whose terms occur in ``text``, matched or not."""
        folded = fold(text)
        return [
            self._decide(number, occurrences, folded, with_hits=True)
            for number, occurrences in sorted(self._occurrences(folded.text, positive_only=False).items())
        ]

    def _occurrences(self, folded: str, positive_only: bool) -> dict[int, list[_Occurrence]]:
        """Occurrences per group; with ``positive_only``, groups with terms but no term hit are left out."""
        per_group: dict[int, list[_Occurrence]] = {}
        positive: set[int] = set()
        for start, end, key, refs in self._index.find(folded):
            for number, role, written in refs:
                per_group.setdefault(number, []).append(_Occurrence(start, end, key, role, written))
                if role in (INCLUDE, ALIAS) or not self._groups[number].has_terms:
                    positive.add(number)
        if positive_only:
            return {n: found for n, found in per_group.items() if n in positive}
        return per_group

    def _counted(self, occurrences: list[_Occurrence]) -> tuple[list[_Occurrence], dict[int, str]]:
        """Positive occurrences outside exclude words, and the exclude word covering each other one."""
        masks = [o for o in occurrences if o.role == EXCLUDE]
        counted: list[_Occurrence] = []
        covered: dict[int, str] = {}
        for position, occurrence in enumerate(occurrences):
            if occurrence.role == EXCLUDE:
                continue
            mask = next((m for m in masks if m.start < occurrence.end and occurrence.start < m.end), None)
            if mask is None:
                counted.append(occurrence)
            else:
                covered[position] = mask.term
        return counted, covered

    def _decide(
        self, number: int, occurrences: list[_Occurrence], folded: Folded, with_hits: bool
    ) -> GroupReport:
        group = self._groups[number]
        counted, covered = self._counted(occurrences)
        term_hit = min((o for o in counted if o.role in (INCLUDE, ALIAS)), key=_first_longest, default=None)
        holds: bool | None = None
        reason = ""
        if group.expression is not None:
            present = {o.key for o in counted}
            holds = evaluate(group.expression, present)
            shown = render(group.expression)
            reason = f"expression {shown}: " + ", ".join(reasons(group.expression, present)) if holds else ""
        if group.has_terms and term_hit is None:
            reason = "no include term or alias outside the exclude words"
        elif holds is False:
            reason = f"expression {render(group.expression) if group.expression else ''} does not hold"
        elif term_hit is not None:
            role = "alias" if term_hit.role == ALIAS else "include"
            reason = f"{role} {term_hit.term}" + (f"; {reason}" if reason else "")
        matched = (term_hit is not None or not group.has_terms) and holds is not False
        hits: tuple[Hit, ...] = ()
        if with_hits:
            hits = tuple(
                Hit(o.term, o.role, *folded.source_span(o.start, o.end), excluded_by=covered.get(position))
                for position, o in sorted(enumerate(occurrences), key=lambda item: item[1].start)
            )
        return GroupReport(
            group=group.config.name,
            matched=matched,
            reason=reason,
            hits=hits,
            expression=group.config.expression,
            expression_holds=holds,
        )

    def _match(self, number: int, occurrences: list[_Occurrence], folded: Folded, reason: str) -> Match:
        group = self._groups[number]
        counted, _ = self._counted(occurrences)
        deciding = [o for o in counted if o.role in (INCLUDE, ALIAS)]
        if not deciding and group.expression is not None:
            witnesses = {t.key for t in terms(group.expression)}
            present = {o.key for o in counted}
            named = [fold_term(r) for r in reasons(group.expression, present) if not r.startswith("NOT ")]
            deciding = [o for o in counted if o.key in witnesses and o.key in named] or counted
        first = min(deciding, key=_first_longest)
        start, end = folded.source_span(first.start, first.end)
        return Match(group=group.config.name, term=first.term, start=start, end=end, reason=reason)


def _first_longest(occurrence: _Occurrence) -> tuple[int, int]:
    return occurrence.start, occurrence.start - occurrence.end
