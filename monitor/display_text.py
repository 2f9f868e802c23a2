"""Text from a forum made safe to show: :func:`clean_text`, used wherever scraped text is shown.

Every place that shows a title, a board name, a post or a figure quoting one — email subjects and
bodies, chat messages, webhook payloads, the digest, the web pages, the CLI's tables — passes it
through :func:`clean_text` (HTML additionally escapes it). It removes what would make the text
show something other than what it says:

- control characters (C0, DEL, C1, so also ESC sequences), which could drive a terminal;
- every invisible format character (Unicode category Cf): bidi embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069), the marks LRM, RLM and ALM (U+200E, U+200F,
  U+061C), which reorder how the rest of the line reads ("Trojan Source": an email subject
  whose title ends in U+202E shows the board and source names backwards), and zero-width
  characters (U+200B, U+200C, U+2060, U+FEFF, tag characters), which hide text or split a word
  so that what is read is not what was searched. Stripped rather than isolated with
  U+2068…U+2069: not every mail client or terminal honours isolates, and a Chinese title loses
  nothing without them. A zero-width joiner between two emoji is kept, so 👨‍👩‍👧 stays one family.

The stored text is untouched (it is the evidence); only what is shown is cleaned. Watch-term
matching drops the same characters on its own (:func:`monitor.enrich.text.fold`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ZWJ = "\u200d"
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_PICTOGRAPHIC = frozenset({"So", "Sk"})  # emoji, and the skin-tone modifiers that end them


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Untrusted text made safe to show in a terminal, an email, a chat message or a page.

    Control characters and invisible format characters are removed (see the module docstring).
    Line breaks become spaces and whitespace runs collapse, unless ``multiline`` is set, in
    which case line breaks are kept as ``\\n`` (at most one blank line in a row).
    """
    out: list[str] = []
    text = text.replace("\r\n", "\n")
    for at, char in enumerate(text):
        if char in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif char == "\t":
            out.append(" ")
        elif char == ZWJ and joins_emoji(out, text, at):
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf"):
            continue
        else:
            out.append(char)
    cleaned = "".join(out)
    if not multiline:
        return " ".join(cleaned.split())
    lines = [" ".join(line.split()) for line in cleaned.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def joins_emoji(out: Sequence[str], text: str, at: int) -> bool:
    """Whether the zero-width joiner ``text[at]`` is between two emoji (the one before may end in the
    emoji selector U+FE0F); ``out``: the characters kept before it (a string, or a list of them)."""
    before = out[-1] if out else ""
    if before == "\ufe0f" and len(out) > 1:
        before = out[-2]
    after = text[at + 1] if at + 1 < len(text) else ""
    kinds = {unicodedata.category(before), unicodedata.category(after)} if before and after else set()
    return bool(kinds) and kinds <= _PICTOGRAPHIC


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: a Chinese character (East Asian wide or
    full-width) takes two, so a plain-text table lines up under Chinese labels."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def padded(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns (:func:`display_width`)."""
    return text + " " * max(0, width - display_width(text))
