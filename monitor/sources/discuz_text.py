"""A Discuz! post body (``td.t_f``, a printable-view message, a mobile-API ``message``) as plain
text: the author's own words, quotes kept apart.

Dropped: scripts and styles, every image (smileys are ``<img smilieid>``, photos
``<img class="zoom">``), the ``本帖最后由 … 编辑`` notice (``i.pstatus``), attachment
blocks (``ignore_js_op``, ``.pattl``, ``.tattl``, ``.attach_nopermission``), hidden-content
notices (``.locked``) and anti-copy noise (``.jammer``, ``display:none``). Quote blocks —
``div.quote > blockquote`` on web pages, ``div.reply_wrap`` in the mobile API — go to
``quoted`` without their ``XX 发表于 …`` attribution line (a ``goto=findpost`` link).
"""

from __future__ import annotations

import re

from monitor.sources.markup import Element
from monitor.sources.plaintext import PostText, TextRules, split_text

__all__ = ["PostText", "post_text"]

_DROP_TAGS = frozenset({"ignore_js_op"})
_DROP_CLASSES = frozenset(
    {"pstatus", "jammer", "pattl", "tattl", "attach_nopermission", "aimg_tip", "locked"}
)
_QUOTE_CLASSES = frozenset({"quote", "reply_wrap"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def _classes(element: Element) -> set[str]:
    value = element.get("class")
    return set(value.split()) if value else set()


def _drop(element: Element) -> bool:
    if element.tag in _DROP_TAGS or not _DROP_CLASSES.isdisjoint(_classes(element)):
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _quote(element: Element) -> bool:
    return element.tag == "div" and not _QUOTE_CLASSES.isdisjoint(_classes(element))


def _findpost(element: Element) -> bool:
    return element.tag == "a" and "goto=findpost" in (element.get("href") or "")


def _attribution(element: Element) -> bool:
    """The findpost link, or the ``<font size=2>`` Discuz wraps it in."""
    if _findpost(element):
        return True
    return element.tag == "font" and any(_findpost(child) for child in element)


def _quote_body(block: Element) -> Element:
    inner = block.find("blockquote")
    return inner if inner is not None else block


RULES = TextRules(drop=_drop, quote=_quote, attribution=_attribution, quote_body=_quote_body)


def post_text(message: Element) -> PostText:
    """Plain ``text`` and ``quoted`` of a Discuz! message element; ``message`` is left unchanged."""
    return split_text(message, RULES)
