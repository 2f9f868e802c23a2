"""Where a problem is in a YAML file: its key as validation errors write it
(``route.routes[0].receiver``) and the line of its value."""

from __future__ import annotations

from pathlib import Path

import yaml

Key = tuple[str | int, ...]


def key_text(key: Key) -> str:
    """``route.routes[0].receiver``: a key as validation errors write it."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text or "(top level)"


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
        node = self.root
        if node is None:
            return None
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
            node = found
        return int(node.start_mark.line) + 1

    def say(self, file: Path, key: Key, message: str) -> str:
        """``file: key: message (line N)``."""
        line = self.line(key)
        return f"{file}: {key_text(key)}: {message}" + (f" (line {line})" if line is not None else "")
