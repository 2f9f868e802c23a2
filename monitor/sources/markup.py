"""The HTML toolkit every adapter shares: lxml trees, compiled CSS selectors, text helpers.

Adapters parse with ``lxml.etree``'s HTML parser directly (libxml2's forgiving HTML parser,
the same one ``BeautifulSoup(html, "lxml")`` drives) instead of through BeautifulSoup:
building a BeautifulSoup tree costs more than scoring the page's posts with SnowNLP, an lxml
tree a twentieth of that (``python -m monitor.sources.bench_parse`` measures it). Plain
``etree`` elements, not ``lxml.html``'s: those call back into Python for every element
object made, which showed as a large share of the adapter's own (non-tree) time. CSS
selectors are compiled once to XPath (``cssselect``); ids are found through libxml2's id
table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.cssselect import CSSSelector

from monitor.errors import ParseError

__all__ = [
    "Element",
    "attr",
    "by_id",
    "by_ids",
    "complete",
    "css",
    "first",
    "hrefs",
    "inside",
    "is_element",
    "parse_fragment",
    "parse_html",
    "squeeze",
    "text_content",
    "text_of",
]

Element = etree._Element
# C0 control characters (but tab, LF, CR) and a leading XML declaration: removed before a
# retry when libxml2 refuses a string (it reads NUL as U+FFFD and keeps the others, but will
# not take a Python string that declares an encoding).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}>")
_PARSER = etree.HTMLParser(no_network=True, default_doctype=False)
# XPath's id() uses libxml2's table of ``id`` attributes: a hash lookup, where ``//*[@id=…]``
# walks the whole tree - a millisecond per call on a thread page.
_ID = etree.XPath("id($id)")
_STRING = etree.XPath("string()", smart_strings=False)


def parse_html(text: str, url: str) -> Element:
    """The ``<html>`` element of ``text``; :class:`ParseError` when there is no document at all."""
    root = _parse(text)
    if root is None:
        raise ParseError(url, "empty page" if not text.strip() else "not HTML")
    return root


def parse_fragment(html: str) -> Element:
    """A piece of markup (a post body, a feed item's description) as one element whose
    children and text are the piece's (its tag is ``body``; only its content matters)."""
    root = _parse(html)
    body = root.find("body") if root is not None else None
    return body if body is not None else etree.Element("div")


def _parse(text: str) -> Element | None:
    if not text or text.isspace():
        return None
    try:
        return etree.fromstring(text, _PARSER)
    except ValueError:
        cleaned = _CONTROL.sub("", _XML_DECLARATION.sub("", text, count=1))
    except etree.ParserError:
        return None
    try:
        return etree.fromstring(cleaned, _PARSER) if cleaned.strip() else None
    except (etree.ParserError, ValueError):
        return None


def by_id(root: Element, element_id: str, within: Element | None = None) -> Element | None:
    """The element with this ``id`` in ``root``'s document (the first, if the page repeats it),
    and only if it lies inside ``within`` when that is given."""
    found = _ID(root, id=element_id)
    if not isinstance(found, list) or not found:
        return None
    element = found[0]
    if not isinstance(element, etree._Element):
        return None
    if within is not None and element is not within and not inside(element, within):
        return None
    return element


def by_ids(root: Element, element_ids: Iterable[str]) -> dict[str, Element]:
    """The elements with these ids (the first of each, if the page repeats one), in one
    lookup: XPath's id() takes a list."""
    wanted = " ".join(i for i in element_ids if i and not any(c.isspace() for c in i))
    found = _ID(root, id=wanted) if wanted else []
    elements: dict[str, Element] = {}
    for element in found if isinstance(found, list) else []:
        if isinstance(element, etree._Element):
            elements.setdefault(element.get("id") or "", element)
    return elements


def inside(element: Element, container: Element) -> bool:
    """Whether ``element`` lies inside ``container``."""
    return any(ancestor is container for ancestor in element.iterancestors())


def css(selector: str) -> CSSSelector:
    """A compiled CSS selector; call it on an element to get the matching descendants."""
    return CSSSelector(selector)


def first(selector: CSSSelector, element: Element) -> Element | None:
    found = selector(element)
    return found[0] if found else None


def attr(element: Element | None, name: str) -> str:
    """The attribute's value, ``""`` when the element or attribute is missing."""
    if element is None:
        return ""
    return element.get(name) or ""


def squeeze(text: str) -> str:
    """``text`` with every run of whitespace (``&nbsp;`` too) made one space, and stripped."""
    return " ".join(text.split())


def text_content(element: Element) -> str:
    """All the text inside ``element`` (comments left out), as the browser would select it."""
    value = _STRING(element)
    return value if isinstance(value, str) else ""


def text_of(element: Element | None) -> str:
    """The element's text with whitespace squeezed; ``""`` for ``None``."""
    if element is None:
        return ""
    return squeeze(text_content(element))


def is_element(node: object) -> bool:
    """Whether ``node`` is an element (not a comment or processing instruction)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def complete(items: list[Element]) -> list[Element]:
    """``items`` without the last one when nothing follows it in the markup: a page cut off
    mid-download ends inside its last item, which must be dropped rather than read half."""
    if items and not _followed(items[-1]):
        return items[:-1]
    return items


def _followed(element: Element) -> bool:
    node: Element | None = element
    while node is not None:
        if any(is_element(sibling) for sibling in node.itersiblings()):
            return True
        node = node.getparent()
    return False


def hrefs(elements: Iterable[Element]) -> list[str]:
    return [element.get("href") or "" for element in elements]
