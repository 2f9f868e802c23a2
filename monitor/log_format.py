"""Log lines that carry their details: ``alert opened [alert_id=3 severity=urgent]``.

The code attaches what a line is about as ``extra={...}`` (alert, recipient, URL, source);
the standard formatter drops those fields, leaving ops with "email sent" and no way to tell
which. :class:`DetailsFormatter` appends them. Nothing secret is passed as an extra: link
tokens, keys and passwords never are (chat targets are masked before they are logged).
"""

from __future__ import annotations

import logging

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class DetailsFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        details = [f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD]
        if not details:
            return line
        first, newline, rest = line.partition("\n")  # after the message, before any traceback
        return f"{first} [{' '.join(details)}]{newline}{rest}"
