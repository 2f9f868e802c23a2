"""Console channel: prints an alert as plain text (what the demo shows on screen)."""

from __future__ import annotations

import unicodedata
from typing import TextIO

from monitor.alerting.message import AlertMessage
from monitor.alerting.render import render_subject, render_text

RULE_WIDTH = 72


class ConsoleChannel:
    """Writes alerts to a text stream, framed by rules, with the subject as a heading.

    The text comes from :func:`render_text`, which strips control characters from
    forum-derived strings, so a thread title cannot drive the terminal.
    """

    scheme = "console"

    def send(self, msg: AlertMessage, stream: TextIO) -> None:
        subject = render_subject(msg)
        heavy = "━" * max(RULE_WIDTH, min(_width(subject), 120))
        stream.write(f"{heavy}\n{subject}\n{'─' * len(heavy)}\n")
        stream.write(render_text(msg))
        stream.write(f"{heavy}\n")
        stream.flush()


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1 for char in text)
