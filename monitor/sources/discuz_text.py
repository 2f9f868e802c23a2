"""A Discuz! post body (``td.t_f``) as plain text: the author's own words, quotes kept apart.

Dropped: scripts and styles, every image (smileys are ``<img smilieid>``, photos
``<img class="zoom">``), the ``本帖最后由 … 编辑`` notice (``i.pstatus``), attachment
blocks (``ignore_js_op``, ``.pattl``, ``.tattl``, ``.attach_nopermission``), hidden-content
notices (``.locked``) and anti-copy noise (``.jammer``, ``display:none``). Quote blocks
(``div.quote > blockquote``) go to ``quoted`` without their ``XX 发表于 …`` attribution line.
Line breaks (``<br>``, block elements) become ``'\\n'``; runs of spaces collapse; at most one
blank line is kept between paragraphs.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from bs4.element import Comment, NavigableString, Tag

_DROP = (
    "script",
    "style",
    "noscript",
    "img",
    "ignore_js_op",
    "i.pstatus",
    ".jammer",
    ".pattl",
    ".tattl",
    ".attach_nopermission",
    ".aimg_tip",
    ".locked",
)
_BLOCKS = frozenset(
    {"address", "blockquote", "center", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"hr", "li", "ol", "p", "pre", "table", "tbody", "tr", "ul"}
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PostText:
    """A post's own words and, apart, the text it quotes."""

    text: str
    quoted: str


def post_text(message: Tag) -> PostText:
    """Plain ``text`` and ``quoted`` of a post's message cell; ``message`` is left unchanged."""
    body = copy.copy(message)
    for tag in body.select(", ".join(_DROP)):
        if not tag.decomposed:
            tag.decompose()
    for tag in body.find_all(style=_HIDDEN_STYLE):
        if not tag.decomposed:
            tag.decompose()
    quotes = []
    for block in body.select("div.quote"):
        quote = block.find("blockquote") or block
        _drop_attribution(quote)
        quotes.append(_plain(quote))
        block.decompose()
    return PostText(text=_plain(body), quoted="\n".join(q for q in quotes if q))


def _drop_attribution(quote: Tag) -> None:
    """Remove the ``<font size=2><a …findpost…>XX 发表于 …</a></font>`` line Discuz puts first."""
    link = quote.find("a", href=re.compile(r"goto=findpost"))
    if link is None:
        return
    line = link.parent if isinstance(link.parent, Tag) and link.parent.name == "font" else link
    line.decompose()


def _plain(root: Tag) -> str:
    parts: list[str] = []
    _walk(root, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def _walk(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            parts.append(_SPACES.sub(" ", str(child)))
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
                continue
            if child.name in ("td", "th"):
                parts.append(" ")
            block = child.name in _BLOCKS
            if block:
                parts.append("\n")
            _walk(child, parts)
            if block:
                parts.append("\n")
