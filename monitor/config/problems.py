"""A validation error as ops read it: ``file: key: message (line N)``, for every config file.

Misspelt keys come first (the errors after them often come from the key the typo left out); a
check of a whole file that names the entry it is about (``sources[1].key: duplicate …``) is put
at that entry; a value given by an environment variable names the variable, not the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config.yaml_lines import Key, YamlLines, key_of, key_text


def validation_problems(
    file: Path,
    exc: ValidationError,
    lines: Callable[[Key], int | None] | None = None,
    origin: Callable[[Key], str | None] | None = None,
) -> list[str]:
    """Each validation error as ``file: key: message (line N)``; misspelt keys first, since the
    errors that follow them often come from the key the typo left out (``inclue:`` leaves no
    include terms). ``lines``: where a key is in ``file`` (default: a YAML file's own lines);
    ``origin``: where a key's value came from instead of ``file`` (an environment variable)."""
    if lines is None and file.suffix in (".yaml", ".yml") and file.is_file():
        lines = YamlLines.of(file).line
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    said = []
    for error in errors:
        key, message = tuple(error["loc"]), _message(error)
        named = re.match(r"([\w.\[\]]+): (.+)", message, re.DOTALL) if not key else None
        if named and key_of(named[1]):  # a check of the whole file that names the entry it is about
            key, message = key_of(named[1]) or (), named[2]
        line = lines(key) if lines is not None and key else None
        at = f" (line {line})" if line is not None else ""
        where = (origin(key) if origin is not None and key else None) or file
        said.append(f"{where}: {key_text(key)}: {message}{at}")
    return said


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (misspelt?)"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "recursion_loop":
        return "a YAML anchor refers to itself (a cycle); write the structure out"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def not_a_mapping(file: Path, data: object, fields: list[str]) -> str:
    """A YAML file whose top level is not a mapping; a list in a file of one list (``watch_groups:``)
    is that list without its key line, the usual slip, and is said so."""
    said = f"{file}: expected a mapping at the top level, got {type(data).__name__}"
    if isinstance(data, list) and len(fields) == 1:
        said += f" (put '{fields[0]}:' on the first line and indent the list under it)"
    return said
