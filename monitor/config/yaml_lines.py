"""Where a problem is in a YAML file: its key as validation errors write it
(``route.routes[0].receiver``) and the line of its value."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

Key = tuple[str | int, ...]


def key_text(key: Key) -> str:
    """``route.routes[0].receiver``: a key as validation errors write it."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text or "(top level)"


def key_of(text: str) -> Key | None:
    """The key ``text`` writes (:func:`key_text` read back): ``general.steps[4].title`` →
    ``("general", "steps", 4, "title")``; None for ``(top level)`` or what is not a key."""
    if not text or text.startswith("("):
        return None
    key: list[str | int] = []
    for part in re.findall(r"\[(\d+)\]|([^.\[\]]+)", text):
        key.append(int(part[0]) if part[0] else part[1])
    return tuple(key) or None


class YamlLines:
    """Where keys are in a YAML document: the line of the value at ``route.routes[0].receiver``."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    @classmethod
    def of(cls, file: Path) -> YamlLines:
        try:
            return cls(yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return cls(None)  # no lines, the problems are still said

    def line(self, key: Key) -> int | None:
        """The 1-based line of the value at ``key``; the nearest enclosing one the document shows
        (a key brought in by a ``<<:`` merge is not where it is used); None without a document."""
        node, _ = self._nearest(key)
        return None if node is None else int(node.start_mark.line) + 1

    def within(self, key: Key) -> int | None:
        """As :meth:`line`, but None when not even ``key``'s first part is in the document (a
        missing top-level key: the whole document's first line would say nothing)."""
        node, depth = self._nearest(key)
        return None if node is None or depth == 0 else int(node.start_mark.line) + 1

    def _nearest(self, key: Key) -> tuple[yaml.Node | None, int]:
        """The node at ``key`` or the nearest enclosing one, and how many of ``key``'s parts led to it."""
        node = self.root
        if node is None:
            return None, 0
        depth = 0
        for part in key:
            found: yaml.Node | None = None
            if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                found = node.value[part]
            elif isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next(
                    (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None
                )
            if found is None:
                break
            node, depth = found, depth + 1
        return node, depth

    def say(self, file: Path, key: Key, message: str) -> str:
        """``file: key: message (line N)``."""
        line = self.line(key)
        return f"{file}: {key_text(key)}: {message}" + (f" (line {line})" if line is not None else "")
