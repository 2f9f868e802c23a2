"""Where a setting is in ``monitor.toml``: the line of ``key =`` in its ``[section]``, for
validation errors. ``tomllib`` keeps no positions, so the file's lines are scanned: a table
header ``[section]`` and a bare or quoted key at the start of a line. A setting the file does
not hold (a default, or one given by an environment variable) has no line.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from monitor.config.yaml_lines import Key

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


class TomlLines:
    """Lines of ``[section]`` headers and their ``key =`` lines in one TOML file."""

    def __init__(self, text: str | None, elsewhere: Collection[tuple[str, str]] = ()) -> None:
        self._headers: dict[str, int] = {}
        self._keys: dict[tuple[str, str], int] = {}
        self._elsewhere = set(elsewhere)
        section = ""
        for number, line in enumerate((text or "").splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                section = header.group(1)
                self._headers.setdefault(section, number)
                continue
            key = _KEY.match(line)
            if key:
                name = next(group for group in key.groups() if group)
                self._keys.setdefault((section, name), number)

    @classmethod
    def of(cls, file: Path, elsewhere: Collection[tuple[str, str]] = ()) -> TomlLines:
        """``elsewhere``: (section, key) given outside the file (environment, overrides): no line."""
        try:
            return cls(file.read_text(encoding="utf-8-sig"), elsewhere)
        except (OSError, UnicodeDecodeError):
            return cls(None)

    def line(self, key: Key) -> int | None:
        """The 1-based line of ``section.key`` (``key[:2]``), else of ``[section]``; None if absent."""
        if not key or not isinstance(key[0], str):
            return None
        section = key[0]
        name = key[1] if len(key) > 1 and isinstance(key[1], str) else None
        if name is not None:
            if (section, name) in self._elsewhere:
                return None
            if (section, name) in self._keys:
                return self._keys[(section, name)]
        return self._headers.get(section)
