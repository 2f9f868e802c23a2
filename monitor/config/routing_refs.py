"""Where ``routing.yaml`` still names something about to be removed (a watch group, a source):
removing it first would leave a route that check-config refuses, and the service would not start.
Read from the raw YAML, so a routing file that does not validate yet is still searched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from monitor.errors import ConfigError


def refuse_if_routed(config_file: Path, what: str, names: Callable[[str, str], bool]) -> None:
    """Raise :class:`ConfigError` naming the first ``match`` entry for which ``names(field, value)``
    holds, in the ``routing.yaml`` beside ``config_file``; ``what`` says what it is (``watch group
    '途乐旅行'``). A routing file that cannot be read is left to check-config."""
    routing = config_file.with_name("routing.yaml")
    try:
        data = yaml.safe_load(routing.read_text(encoding="utf-8")) if routing.exists() else None
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return
    for key in _naming(data, names, ""):
        raise ConfigError([f"{routing}: {key}: still routes {what}; take it out of routing.yaml first"])


def _naming(node: object, names: Callable[[str, str], bool], key: str) -> Iterator[str]:
    """Keys of every ``match`` list entry in a routing tree that ``names`` picks."""
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
                            yield f"{key}.match.{field}[{index}]".lstrip(".")
        for child, value in node.items():
            if child != "match":
                yield from _naming(value, names, f"{key}.{child}".lstrip("."))
