"""People in the digest by name, their job titles said once.

``routing.yaml`` names spokespeople with their job title, as the alerts show them:
``李娜（公关部发言人）``. An alert names its spokesperson once or twice; the digest names the same
few people on line after line (the spokesperson, who acknowledged, the backup and leadership
called, who handed over), and the titles crowded out what each line says. The digest names them
without it, and its footer gives each title once: ``人员 People: 李娜 公关部发言人 · 王强 客服总监``.

A title is what the name ends with in brackets, full-width ``（…）`` or ASCII ``(…)``. Two people
whose names would read the same without their titles keep them whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping

from monitor.digest.model import Digest

__all__ = ["mentioned", "split_title", "without_titles"]

_TITLED = re.compile(r"\s*(?P<name>\S.*?)\s*(?:（(?P<zh>[^（）]+)）|\((?P<en>[^()]+)\))\s*")


def split_title(name: str) -> tuple[str, str]:
    """``("李娜", "公关部发言人")`` from ``李娜（公关部发言人）``; ``(name, "")`` for a name without one."""
    found = _TITLED.fullmatch(name)
    if found is None:
        return name, ""
    return found["name"], (found["zh"] or found["en"]).strip()


def without_titles(people: Mapping[str, str]) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Each key's name as the digest shows it, and ``(name, title)`` for each person shown without
    a title, in the configuration's order. A name shared by two people once titles are cut stays whole."""
    split = {key: split_title(name) for key, name in people.items()}
    shared = Counter(short for short, _ in split.values())
    shown: dict[str, str] = {}
    titles: dict[str, str] = {}
    for key, (short, title) in split.items():
        if title and shared[short] == 1:
            shown[key] = short
            titles[short] = title
        else:
            shown[key] = people[key]
    return shown, tuple(titles.items())


def mentioned(digest: Digest) -> tuple[tuple[str, str], ...]:
    """The ``(name, title)`` pairs of the people the digest names, in the configuration's order."""
    named = set(_names(digest))
    return tuple((name, title) for name, title in digest.people if name in named)


def _names(digest: Digest) -> Iterator[str]:
    if digest.attention is not None:
        yield from (alert.spokesperson for alert in digest.attention.open_alerts)
        yield from (item.recipient for item in digest.attention.not_delivered)
    for review in digest.week.alerts:
        yield review.spokesperson
        for actor in (review.acknowledged_by, review.contacted_by):
            yield from (actor.name,) if actor is not None else ()
        for change in review.owner_changes:
            yield from (change.previous, change.by)
        again = review.acknowledged_again
        if again is not None:
            yield from (again.owner, *((again.by.name,) if again.by is not None else ()))
        for call in (review.backup_called, review.leadership_called):
            yield from call.people if call is not None else ()
