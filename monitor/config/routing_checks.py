"""What ``routing.yaml`` refers to, checked once the file has validated: spokespeople named by
routes, backups and leadership; watch groups, complaint categories, crisis signals, sources and
boards named by routes' ``match`` (a typo there would turn the route off without a word); chat
channel URLs.

Each problem names the file, the key as validation errors do (``route.routes[0].receiver``), the
route's number as ``monitor route test`` shows it (depth-first, the root is route 0), and the
line in the file — in a nested tree the key alone is hard to find::

    routing.yaml: route.routes[0].receiver: undefined spokesperson 'li_nna' in route 1 (line 34)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path

from monitor.alerting.channels.base import ChannelTarget, ChannelURLError
from monitor.alerting.channels.registry import parse_target
from monitor.alerting.route_tree import RouteNode
from monitor.config.files import RoutingFile
from monitor.config.yaml_lines import Key, YamlLines


def routing_problems(
    file: Path,
    routing: RoutingFile,
    group_names: set[str] | None,
    boards: Mapping[str, set[str]] | None = None,
) -> list[str]:
    """Undefined or duplicate spokespeople, a root route without a receiver, and what a route's
    ``match`` names that does not exist: a watch group (``group_names`` None: not checked), a
    complaint category, a crisis signal, a source or board (``boards``: each source key's board
    ids from sources.yaml; None: not checked)."""
    lines = YamlLines.of(file)
    problems: list[str] = []

    def say(key: Key, message: str) -> None:
        problems.append(lines.say(file, key, message))

    keys = [p.key for p in routing.spokespeople]
    for index, person in enumerate(routing.spokespeople):
        first = keys.index(person.key)
        if first != index:  # said at the later entry, the one most likely just typed
            where = lines.line(("spokespeople", first, "key"))
            earlier = f"spokespeople[{first}]" + (f", line {where}" if where is not None else "")
            say(("spokespeople", index, "key"), f"duplicate spokesperson {person.key!r} (first at {earlier})")
        if person.backup is not None and person.backup not in keys:
            say(("spokespeople", index, "backup"), f"undefined spokesperson {person.backup!r}")
    for index, key in enumerate(routing.leadership):
        if key not in keys:
            say(("leadership", index), f"undefined spokesperson {key!r}")
    if routing.route.receiver is None:
        say(("route", "receiver"), "the root route needs a receiver (it takes all other alerts)")
    for number, path, node in _routes(routing.route):
        in_route = "in route 0 (the root)" if number == 0 else f"in route {number}"
        if node.receiver is not None and node.receiver not in keys:
            say((*path, "receiver"), f"undefined spokesperson {node.receiver!r} {in_route}")
        for index, name in enumerate(node.also):
            if name not in keys:
                say((*path, "also", index), f"undefined spokesperson {name!r} {in_route}")
        for index, name in enumerate(node.match.watch_groups):
            if group_names is not None and name not in group_names:
                said = f"undefined watch group {name!r} {in_route}{_known(name, group_names)}"
                say((*path, "match", "watch_groups", index), said)
        for field, kind, known in _match_names(boards):
            for index, name in enumerate(getattr(node.match, field)):
                if known is not None and name not in known:
                    say(
                        (*path, "match", field, index),
                        f"unknown {kind} {name!r} {in_route}{_known(name, known)}",
                    )
    return problems


def _match_names(boards: Mapping[str, set[str]] | None) -> list[tuple[str, str, set[str] | None]]:
    """Each ``match`` key checked here, what it names and the names it may use (None: unchecked)."""
    from monitor.enrich.category import CATEGORIES
    from monitor.enrich.signals import SIGNAL_LABELS

    board_names = None
    if boards is not None:
        board_names = {board for ids in boards.values() for board in ids}
        board_names |= {f"{source}:{board}" for source, ids in boards.items() for board in ids}
    return [
        ("categories", "complaint category", set(CATEGORIES)),
        ("signals", "crisis signal", set(SIGNAL_LABELS)),
        ("sources", "source", set(boards) if boards is not None else None),
        ("boards", "board", board_names),
    ]


def _close(name: str, known: set[str]) -> str | None:
    """The known name nearest ``name``: the same once folded (途樂旅行: 途乐旅行), else a close spelling."""
    from monitor.enrich.text import fold

    folded = fold(name).text
    same = [candidate for candidate in sorted(known) if fold(candidate).text == folded]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return close[0] if close else None


def _known(name: str, known: set[str]) -> str:
    """`` (did you mean 'lawyer'?)``, else the known names when they are few."""
    close = _close(name, known)
    if close is not None:
        return f" (did you mean {close!r}?)"
    if len(known) <= 12:
        return f" (known: {', '.join(sorted(known))})"
    return ""


def chat_targets(
    file: Path, routing: RoutingFile, environ: Mapping[str, str], problems: list[str]
) -> dict[str, list[ChannelTarget]]:
    """Each spokesperson's chat channels, parsed; a malformed URL is a problem (its secret not shown)."""
    lines: YamlLines | None = None
    targets: dict[str, list[ChannelTarget]] = {}
    for index, person in enumerate(routing.spokespeople):
        for position, url in enumerate(person.channels):
            try:
                targets.setdefault(person.key, []).append(parse_target(url, environ=environ))
            except ChannelURLError as exc:  # its message never repeats the secret
                lines = lines or YamlLines.of(file)
                problems.append(lines.say(file, ("spokespeople", index, "channels", position), str(exc)))
    return targets


def _routes(root: RouteNode) -> Iterator[tuple[int, Key, RouteNode]]:
    """Every route with its depth-first number (as :func:`monitor.alerting.route_tree.numbered`)
    and its key in the file."""
    number = 0
    stack: list[tuple[Key, RouteNode]] = [(("route",), root)]
    while stack:
        path, node = stack.pop()
        yield number, path, node
        number += 1
        stack.extend(((*path, "routes", i), child) for i, child in reversed(list(enumerate(node.routes))))
