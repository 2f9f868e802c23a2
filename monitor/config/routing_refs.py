"""Where ``routing.yaml`` names something about to go (a watch group, a source): removing it first
would leave a route that check-config refuses — the next start would fail — or, done by hand under
a running service, a route that no longer fires. Read from the raw YAML, so a routing file that
does not validate yet is still searched; one that cannot be read is left to check-config.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import yaml

from monitor.errors import ConfigError


def refuse_if_routed(config_file: Path, what: str, names: Callable[[str, str], bool]) -> None:
    """Raise :class:`ConfigError` naming the first ``match`` entry for which ``names(field, value)``
    holds, in the ``routing.yaml`` beside ``config_file``; ``what`` says what it is (``watch group
    '途乐旅行'``)."""
    routing = config_file.with_name("routing.yaml")
    for key, _ in _naming(_routing_data(routing), names, ""):
        raise ConfigError([f"{routing}: {key}: still routes {what}; take it out of routing.yaml first"])


def unrouted_groups(watch_file: Path, groups: Collection[str]) -> list[str]:
    """Each watch group the ``routing.yaml`` beside ``watch_file`` routes by name that ``groups``
    (a new version of the file) no longer has, as a problem naming the route: a group renamed or
    removed by hand would turn its route off without a word."""
    routing = watch_file.with_name("routing.yaml")

    def gone(field: str, value: str) -> bool:
        return field == "watch_groups" and value not in groups

    return [
        f"{routing}: {key}: routes watch group {value!r}, which {watch_file.name} no longer has"
        for key, value in _naming(_routing_data(routing), gone, "")
    ]


def _routing_data(routing: Path) -> object:
    try:
        return yaml.safe_load(routing.read_text(encoding="utf-8")) if routing.exists() else None
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None


def _naming(node: object, names: Callable[[str, str], bool], key: str) -> Iterator[tuple[str, str]]:
    """The key and value of every ``match`` list entry in a routing tree that ``names`` picks."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _naming(item, names, f"{key}[{index}]")
    elif isinstance(node, dict):
        match = node.get("match")
        if isinstance(match, dict):
            for field, values in match.items():
                if isinstance(field, str) and isinstance(values, list):
                    for index, value in enumerate(values):
                        if names(field, str(value)):
                            yield f"{key}.match.{field}[{index}]".lstrip("."), str(value)
        for child, value in node.items():
            if child != "match":
                yield from _naming(value, names, f"{key}.{child}".lstrip("."))
