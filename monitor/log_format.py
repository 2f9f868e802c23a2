"""Log lines that carry their details: ``alert opened [alert_id=3 severity=urgent]``.

The code attaches what a line is about as ``extra={...}`` (alert, recipient, URL, source);
the standard formatter drops those fields, leaving ops with "email sent" and no way to tell
which. :class:`DetailsFormatter` appends them. Nothing secret is passed as an extra: link
tokens, keys and passwords never are (chat targets are masked before they are logged).

A message and its details often quote a forum (a Discuz notice in "page skipped: …", a thread
link): control characters, line and paragraph separators and every invisible format character
(Unicode category Cf: bidi overrides, zero-width spaces and joiners, U+FEFF, tag characters) in
them are written as escapes (``\\x1b``, ``\\n``, ``\\u202e``, ``\\u200b``), so a forum can neither
drive the terminal that shows the log nor start a forged line in it, and ops see the character
that hides text or splits a word ("退\\u200b款" is not "退款" to grep). As in what is shown
(:func:`monitor.display_text.clean_text`), a zero-width joiner between two emoji is kept: 👨‍👩‍👧 is
one family, not a puzzle. A traceback after the first line is left as it is.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from monitor.display_text import ZWJ, joins_emoji

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format characters, U+2028 and U+2029


def printable(text: str) -> str:
    """``text`` with control and format characters written as Python escapes (``\\x1b``, ``\\u200b``),
    but for a zero-width joiner between two emoji."""
    if text.isprintable():
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _ESCAPED
        and not (char == ZWJ and joins_emoji(text[max(0, at - 2) : at], text, at))
        else char
        for at, char in enumerate(text)
    )


class DetailsFormatter(logging.Formatter):
    """Times with their UTC offset, in ``zone`` once the config names the team's (:func:`use_zone`):
    the scheduler's "next run at 15:30:00+08:00" and the line's own time then read alike, where
    the machine's clock (UTC in a container) had stamped 07:29 beside it."""

    zone: tzinfo | None = None  # None: the machine's
    as_json: bool = False  # one JSON object per line (``general.log_format = "json"``, :func:`use_format`)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        at = datetime.fromtimestamp(record.created, self.zone).astimezone(self.zone)
        return at.isoformat(sep=" ", timespec="milliseconds")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        if self.as_json:
            return self._json(record)
        line = super().format(record)
        details = [printable(f"{key}={value}") for key, value in vars(record).items() if key not in _STANDARD]
        if not details:
            return line
        first, newline, rest = line.partition("\n")  # after the message, before any traceback
        return f"{first} [{' '.join(details)}]{newline}{rest}"

    def _json(self, record: logging.LogRecord) -> str:
        """``{"time": …, "level": …, "logger": …, "message": …, <details>, "traceback": …}`` on one line,
        the forum's words escaped as in a text line."""
        fields: dict[str, str] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": printable(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in fields:
                fields[key] = printable(str(value))
        if record.exc_info:
            fields["traceback"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False)


def use_format(log_format: str) -> None:
    """Write the log's lines as text (the default) or as JSON (``general.log_format``) from now on."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, DetailsFormatter):
            handler.formatter.as_json = log_format == "json"


def use_zone(zone: str) -> None:
    """Stamp the log's lines in the team's time zone (``general.timezone``) from now on."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, DetailsFormatter):
            handler.formatter.zone = ZoneInfo(zone)


class RepeatsEvery(logging.Filter):
    """One line per ``seconds`` of a message a library repeats while something is down (Dramatiq's
    consumer logs "Consumer encountered a connection error" twice every 3 s while Redis is away:
    60,000 lines a day); the next one let through says how many were left out."""

    def __init__(self, logger_prefix: str, message: str, seconds: float = 300.0) -> None:
        super().__init__()
        self.logger_prefix, self.message, self.seconds = logger_prefix, message, seconds
        self.last: float | None = None
        self.left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.logger_prefix) or self.message not in record.getMessage():
            return True
        if self.last is not None and record.created - self.last < self.seconds:
            self.left_out += 1
            return False
        said = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:  # the cause on the line, not a traceback
            said += f": {record.exc_info[1]}"
            record.exc_info, record.exc_text = None, None
        if self.left_out:
            said += f" (and {self.left_out} times more in the last {self.seconds / 60:g} min)"
        record.msg, record.args = said, ()
        self.last, self.left_out = record.created, 0
        return True
