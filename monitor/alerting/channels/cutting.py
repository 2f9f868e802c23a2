"""Cutting a chat message to a service's limit without breaking what is left: a cut falls between
characters (never inside a UTF-8 sequence), never between a character and its combining marks or
joiners, and never inside an ``&…;`` entity (Slack's escapes). Used by
:mod:`monitor.alerting.channels.markdown`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

_PARTIAL_ENTITY = re.compile(r"&[#A-Za-z0-9]*$")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def measure(text: str, unit: Literal["bytes", "chars"]) -> int:
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


def truncate(text: str, limit: int, *, unit: Literal["bytes", "chars"] = "bytes", ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` bytes or characters, ending in ``ellipsis`` if it was cut.

    The cut falls between characters (never inside a multi-byte UTF-8 sequence), never between a
    character and the combining marks or joiners that belong to it, and never inside an ``&…;`` entity.
    """
    if measure(text, unit) <= limit:
        return text
    room = limit - measure(ellipsis, unit)
    if room <= 0:
        return ""
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        if measure(text[:middle], unit) <= room:
            low = middle
        else:
            high = middle - 1
    cut = low
    while 0 < cut < len(text) and _belongs_to_previous(text[cut]):
        cut -= 1
    head = _PARTIAL_ENTITY.sub("", text[:cut])
    return head.rstrip() + ellipsis


def _belongs_to_previous(char: str) -> bool:
    skin_tone = "\U0001f3fb" <= char <= "\U0001f3ff"
    return skin_tone or char in _JOINERS or unicodedata.category(char) in ("Mn", "Me")
