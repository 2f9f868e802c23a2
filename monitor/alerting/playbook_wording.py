"""How playbooks.yaml problems are worded: a key's place (``general.steps[4].title``) and line,
what YAML made of a bare ``no`` or ``on``, the key a misspelt one was meant to be."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # monitor.config imports the playbooks: its modules are read when needed
    from monitor.config.yaml_lines import YamlLines


def boolean_hint(value: object) -> str:
    if isinstance(value, bool):
        return (
            f"; YAML read the value as the boolean {str(value).lower()} (no/yes/on/off/true/false): quote it"
        )
    return ""


def unknown_key(key: object, allowed: Sequence[str]) -> str:
    message = "unknown key"
    if isinstance(key, bool):
        message += " (YAML read it as a boolean: quote it)"
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; expected one of: {', '.join(allowed)}"


def line_note(lines: YamlLines, problem: str) -> str:
    """`` (line N)``: where the problem's key (``general.steps[4].title: …``) is in the file."""
    from monitor.config.yaml_lines import key_of

    key = key_of(problem.split(": ", 1)[0])
    line = lines.within(key) if key is not None else None
    return f" (line {line})" if line is not None else ""


def key_text(loc: Sequence[object]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def kind_of(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)
