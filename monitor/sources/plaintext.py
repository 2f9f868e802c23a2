"""A post body as plain text: the author's own words, and apart from them the words quoted.

One walk over the body's elements. Each adapter says which elements to leave out
(``drop``), which are quote blocks (``quote``; their text goes to ``quoted``), and which
element inside a quote is its attribution line (``XX 发表于 …``, ``XX wrote:``), left out of
both. A dropped element's tail text is kept: only the element itself goes.

Line breaks: ``<br>`` and block elements become ``'\\n'``, table cells a space; runs of
spaces collapse; lines are stripped; at most one blank line is kept between paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.sources.markup import Element

Predicate = Callable[[Element], bool]

BLOCKS = frozenset(
    {"address", "blockquote", "center", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"hr", "li", "ol", "p", "pre", "table", "tbody", "tr", "ul", "section", "article", "aside"}
    | {"header", "footer", "figure", "figcaption", "details", "summary", "form", "fieldset", "nav"}
)
ALWAYS_DROPPED = frozenset({"script", "style", "noscript", "template", "img", "input", "button", "select"})
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _never(_: Element) -> bool:
    return False


@dataclass(frozen=True)
class PostText:
    """A post's own words and, apart, the text it quotes (quote blocks joined by newlines)."""

    text: str
    quoted: str


@dataclass(frozen=True)
class TextRules:
    """What to leave out of a post body and what to read as a quote."""

    drop: Predicate = _never
    quote: Predicate = _never
    attribution: Predicate = _never
    # The part of a quote block whose text is the quote (Discuz: its <blockquote>); default: all of it.
    quote_body: Callable[[Element], Element] = field(default=lambda block: block)


def split_text(body: Element, rules: TextRules) -> PostText:
    """Plain ``text`` and ``quoted`` of a post body; ``body`` is left unchanged."""
    own: list[str] = []
    quotes: list[Element] = []
    _walk(body, own, rules, quotes)
    quoted = []
    for block in quotes:
        parts: list[str] = []
        _walk(rules.quote_body(block), parts, rules, None)
        quoted.append(tidy(parts))
    return PostText(text=tidy(own), quoted="\n".join(q for q in quoted if q))


def tidy(parts: list[str]) -> str:
    """Join walked text pieces into lines: squeezed, stripped, at most one blank line in a row."""
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines).strip("\n"))


def _walk(node: Element, parts: list[str], rules: TextRules, quotes: list[Element] | None) -> None:
    """Append the text under ``node`` (not its tail) to ``parts``; quote blocks go to ``quotes``
    (``None``: inside a quote, where attribution lines are skipped and nested quotes kept)."""
    if node.text:
        parts.append(_SPACES.sub(" ", node.text))
    for child in node:
        tag = child.tag
        if isinstance(tag, str):
            name = tag.lower()
            if name == "br":
                parts.append("\n")
            elif name in ALWAYS_DROPPED or rules.drop(child):
                pass
            elif quotes is not None and rules.quote(child):
                quotes.append(child)
                parts.append("\n")
            elif quotes is None and rules.attribution(child):
                pass
            else:
                if name in ("td", "th"):
                    parts.append(" ")
                block = name in BLOCKS
                if block:
                    parts.append("\n")
                _walk(child, parts, rules, quotes)
                if block:
                    parts.append("\n")
        if child.tail:
            parts.append(_SPACES.sub(" ", child.tail))
