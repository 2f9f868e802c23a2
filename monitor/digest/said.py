"""A sentence of the digest in both its languages, Chinese first: the team reads Chinese, and the
English after it keeps the figures' wording plain for whoever reads English (as the headings do,
:mod:`monitor.digest.headings`).

Both bodies show the Chinese as the line to read and the English after it, quieter: the HTML body
in a small grey span after the Chinese (:func:`monitor.digest.html_style.said_html`), the plain-text
body on the same line after `` / `` when both fit in :data:`TEXT_COLUMNS` columns, else on the next
line under the Chinese (:meth:`Said.text_lines`) — a long joined line would wrap into a tangle in a
mail client, and a short one needs no second line.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.display_text import display_width

TEXT_COLUMNS = 100  # a plain-text line joins its two languages up to this display width


@dataclass(frozen=True)
class Said:
    """One sentence: ``zh`` and ``en`` say the same, with the same figures, dates and names."""

    zh: str
    en: str

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    def __add__(self, other: Said) -> Said:
        return Said(self.zh + other.zh, self.en + other.en)

    def text_lines(self, indent: str = "", bullet: str = "") -> list[str]:
        """``indent + bullet + zh / en`` when it fits in :data:`TEXT_COLUMNS`; else the English on
        the next line, under the Chinese. ``bullet`` (``- ``, or a label) is on the first line only;
        an empty sentence has no line."""
        if not self:
            return []
        joined = f"{indent}{bullet}{self.zh} / {self.en}"
        if not self.en or display_width(joined) <= TEXT_COLUMNS:
            return [joined if self.en else f"{indent}{bullet}{self.zh}"]
        return [f"{indent}{bullet}{self.zh}", f"{indent}{' ' * display_width(bullet)}{self.en}"]


def joined(parts: list[Said], zh: str = " · ", en: str = " · ") -> Said:
    """Sentences joined each language apart: ``a · b`` in both."""
    return Said(zh.join(part.zh for part in parts), en.join(part.en for part in parts))
