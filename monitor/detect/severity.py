"""The three severity tiers of seed 004 and their response SLAs."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Severity(StrEnum):
    """一般 / 紧迫 / 非常紧迫, ordered from least to most severe."""

    GENERAL = "general"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]

    @property
    def first_contact(self) -> timedelta:
        """Longest time allowed before the first contact with the complainant (seed 004)."""
        return _FIRST_CONTACT[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_ORDER = [Severity.GENERAL, Severity.URGENT, Severity.VERY_URGENT]
_LABELS_ZH = {Severity.GENERAL: "一般", Severity.URGENT: "紧迫", Severity.VERY_URGENT: "非常紧迫"}
_FIRST_CONTACT = {
    Severity.GENERAL: timedelta(hours=24),
    Severity.URGENT: timedelta(hours=8),
    Severity.VERY_URGENT: timedelta(hours=4),
}
