"""Chat markup for the four chat services: each service's dialect and length limit, the escaping
of untrusted forum text, and links. Why the escaping works this way is in
:mod:`~monitor.alerting.channels.markdown`; the lines of a message are in
:mod:`~monitor.alerting.channels.chat_body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from monitor.alerting.channels.cutting import truncate
from monitor.alerting.render import clean_text, safe_href


@dataclass(frozen=True)
class Dialect:
    """How one service writes markup and how long a message may be."""

    name: Literal["wecom", "dingtalk", "feishu", "slack"]
    limit: int
    unit: Literal["bytes", "chars"]  # UTF-8 bytes, or characters as Slack counts them
    line_break: str = "\n"


WECOM = Dialect("wecom", 4096, "bytes")
DINGTALK = Dialect("dingtalk", 20000, "bytes", line_break="\n\n")  # DingTalk joins single newlines
FEISHU = Dialect("feishu", 16000, "bytes")  # the whole request must stay under 20 KB
SLACK = Dialect("slack", 3000, "chars")  # a section block's text

_MARKDOWN_TWINS = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "@": "＠",
        "&": "＆",
        "|": "｜",
    }
)
_SLACK_TWINS = str.maketrans({"`": "｀", "*": "＊", "_": "＿", "~": "～", "@": "＠", "[": "［", "]": "］"})
# Kept as is in a link target; ( ) [ ] < > | ' " \ ` { } spaces and non-ASCII are %-encoded.
_URL_SAFE = "!#$%&*+,-./:;=?@_~"


def escape(text: str, dialect: Dialect) -> str:
    """Untrusted text made inert for ``dialect``: control characters gone, markup characters defused."""
    cleaned = clean_text(text)
    if dialect.name == "slack":
        cleaned = cleaned.translate(_SLACK_TWINS)
        return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return cleaned.translate(_MARKDOWN_TWINS)


def defuse_mentions(text: str) -> str:
    """Plain text (a card title, a notification preview) with ``@`` and ``<`` unable to mention anyone."""
    return clean_text(text).replace("@", "＠").replace("<", "＜").replace(">", "＞")


def link(label: str, url: str, dialect: Dialect) -> str | None:
    """A link to ``url`` with a label we wrote, or None when the URL is not http(s)."""
    href = safe_href(url)
    if href is None:
        return None
    target = quote(href, safe=_URL_SAFE)
    if dialect.name == "slack":
        return f"<{target.replace('&', '&amp;')}|{label}>"
    return f"[{label}]({target})"


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with "…"."""
    if len(text) <= limit:
        return text
    return truncate(text, limit, unit="chars")
