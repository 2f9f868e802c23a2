"""The ``[digest]`` section: when the weekly digest is sent and to whom."""

from __future__ import annotations

from pydantic import Field, field_validator

from monitor.config.addresses import email_address
from monitor.config.section import Section as _Section

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSettings(_Section):
    enabled: bool = Field(
        True,
        description="Email the weekly digest (`monitor run`); `monitor digest preview` works either way.",
    )
    weekday: str = Field(
        "mon",
        description=(
            "Day the digest is sent (mon … sun, or the day's full name; the team's time zone); it covers "
            "the 7 days before."
        ),
    )
    hour: int = Field(
        9, ge=0, le=23, description="Hour of that day (the team's time zone) the digest is sent."
    )
    recipients: tuple[str, ...] = Field(
        (),
        description=(
            "Who receives it: spokesperson keys from routing.yaml or email addresses. Empty: every "
            "spokesperson in routing.yaml (leadership included)."
        ),
    )
    top_threads: int = Field(10, ge=1, le=100, description="Busiest watched threads listed in the digest.")

    @field_validator("weekday")
    @classmethod
    def _known_weekday(cls, value: str) -> str:
        """``mon``, ``Monday``, ``tues``: a day's name or its start (three letters or more)."""
        said = value.strip().lower()
        day = next((d for d, name in zip(WEEKDAYS, _DAY_NAMES, strict=True) if name.startswith(said)), None)
        if len(said) < 3 or day is None:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)} (or the day's full name), got {value!r}")
        return day

    @field_validator("recipients")
    @classmethod
    def _addresses_are_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """An entry with an @ is an address (the one rule of monitor.config.addresses); the others are
        spokesperson keys, checked against routing.yaml when the files are loaded together."""
        entries = tuple(entry.strip() for entry in value)
        for entry in entries:
            if not entry:
                raise ValueError("an empty entry (a spokesperson key or an email address)")
            if "@" in entry:
                email_address(entry)
        return entries
