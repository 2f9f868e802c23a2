"""monitor/display_text.py: what is removed from forum text before it is shown, and what is kept.

The boundaries that show it (email, digest, web page, CLI, webhook) have their own tests, each
next to the others for that boundary: search the tests for "reorder or hide".
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from monitor.display_text import clean_text

# A right-to-left override, isolates, marks, zero-width characters and tag characters (hidden ASCII).
INVISIBLE = (
    "\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u2060\ufeff\u00ad\U000e0041\U000e0001"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("退\u200b款", "退款"),  # a watch term split to dodge a filter reads whole
        ("订单\u202e号码 — 投诉", "订单号码 — 投诉"),  # cannot reverse what follows it
        ("a\u2066b\u2069c\u061cd", "abcd"),
        ("ignore\U000e0049\U000e0047 this", "ignore this"),  # tag characters spell hidden ASCII
        ("\ufeff标题", "标题"),
        ("family 👨\u200d👩\u200d👧 fire ❤\ufe0f\u200d🔥", "family 👨\u200d👩\u200d👧 fire ❤\ufe0f\u200d🔥"),
        ("退\u200d款 a\u200d", "退款 a"),  # a joiner between letters is invisible: dropped
    ],
)
def test_invisible_and_direction_characters_are_removed(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_no_format_character_survives_except_a_joiner_between_emoji() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert clean_text(f"x{every}y") == "xy"
    assert clean_text(f"x{INVISIBLE}y\n{INVISIBLE}z", multiline=True) == "xy\nz"
