"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: any forum's board feed as a :class:`BoardPage` of
threads, and a per-thread feed (Discourse ``/t/{id}.rss``, phpBB ``feed.php?t={id}``) as a
:class:`ThreadPage` of posts.

Parsing: ``lxml.etree`` with ``recover=True`` (real feeds are often not well-formed: a bare
``&``, an HTML entity such as ``&nbsp;``, a multibyte character cut in two by the forum's
excerpt code, a download cut short), ``resolve_entities=False`` and ``no_network=True``
(no external entities or DTDs are ever loaded, so XXE cannot happen) and the default
``huge_tree=False`` (libxml2's limits on depth and entity expansion stay on, which stops
"billion laughs"). This is why not ``xml.etree`` + defusedxml: that pair is safe but gives up
on the first malformed byte, and defusedxml is not a dependency.

What a feed lacks: reply and view counts and sticky marks (``missing`` on every thread), uids.
Floors of a thread feed come from ``floor_pattern`` on each entry's link when configured,
else from the entries' order (``"floor"`` in ``missing``: a feed may hold only the latest posts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree

from monitor.errors import ParseError
from monitor.sources import urltemplate
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.generic_config import FeedOptions
from monitor.sources.markup import Element, parse_fragment
from monitor.sources.plaintext import TextRules, split_text

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)
_CLOSED = re.compile(r"</(?:\w+:)?(?:rss|feed|RDF)\s*>\s*$")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")


@dataclass(frozen=True)
class FeedEntry:
    """One ``<item>`` or ``<entry>``. ``summary_html`` is the entry's HTML body (full content
    when the feed has it, else its summary)."""

    title: str
    link: str
    guid: str
    author: str
    published: datetime | None
    updated: datetime | None
    summary_html: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    title: str
    link: str
    entries: list[FeedEntry] = field(default_factory=list)
    ttl_minutes: int | None = None


def read_feed(text: str, url: str, tz: tzinfo = UTC) -> Feed:
    """The feed in ``text``; dates without a zone are read in ``tz``. :class:`ParseError` when
    ``text`` is no RSS or Atom document. A feed cut off before its closing tag loses its last
    entry, which may be half read."""
    cleaned = _CONTROL.sub("", _XML_DECLARATION.sub("", text, count=1))
    if not cleaned.strip():
        raise ParseError(url, "empty feed")
    try:
        root = etree.fromstring(cleaned, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(url, f"not XML: {exc}") from exc
    if root is None:
        raise ParseError(url, "not XML")
    kind = _local(root)
    if kind == "feed":
        feed = _atom(root, url, tz)
    elif kind in ("rss", "RDF"):
        feed = _rss(root, url, tz)
    else:
        raise ParseError(url, f"not an RSS or Atom feed: root element <{kind}>")
    if feed.entries and not _CLOSED.search(cleaned[-200:]):  # cut off: the last entry may be half read
        return Feed(feed.title, feed.link, feed.entries[:-1], feed.ttl_minutes)
    return feed


def _rss(root: etree._Element, url: str, tz: tzinfo) -> Feed:
    channel = _child(root, "channel")
    if channel is None:
        raise ParseError(url, "RSS feed without <channel>")
    holder = channel if _child(channel, "item") is not None else root  # RSS 1.0 puts items beside it
    entries = []
    for item in _children(holder, "item"):
        link = urljoin(url, _text(item, "link"))
        author = _text(item, "author") or _text(item, "creator")
        email_name = _EMAIL_NAME.match(author)
        entries.append(
            FeedEntry(
                title=_text(item, "title"),
                link=link,
                guid=_text(item, "guid") or link,
                author=email_name.group(1) if email_name else author,
                published=_date(_text(item, "pubDate") or _text(item, "date"), tz),
                updated=None,
                summary_html=_html(_child(item, "encoded")) or _html(_child(item, "description")),
                categories=tuple(_text(c) for c in _children(item, "category") if _text(c)),
            )
        )
    ttl = _text(channel, "ttl")
    return Feed(
        _text(channel, "title"),
        urljoin(url, _text(channel, "link")),
        entries,
        int(ttl) if ttl.isdigit() else None,
    )


def _atom(root: etree._Element, url: str, tz: tzinfo) -> Feed:
    entries = []
    for entry in _children(root, "entry"):
        link = urljoin(url, _atom_link(entry))
        author = _child(entry, "author")
        entries.append(
            FeedEntry(
                title=_text(entry, "title"),
                link=link,
                guid=_text(entry, "id") or link,
                author=_text(author, "name") if author is not None else "",
                published=_date(_text(entry, "published"), tz),
                updated=_date(_text(entry, "updated"), tz),
                summary_html=_html(_child(entry, "content")) or _html(_child(entry, "summary")),
                categories=tuple(c.get("label") or c.get("term") or "" for c in _children(entry, "category")),
            )
        )
    return Feed(_text(root, "title"), urljoin(url, _atom_link(root)), entries)


def _atom_link(element: etree._Element) -> str:
    links = _children(element, "link")
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href") or ""
    return next((link.get("href") or "" for link in links if link.get("href")), "")


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child) == name), None)


def _text(element: etree._Element | None, name: str | None = None) -> str:
    node = _child(element, name) if name else element
    if node is None:
        return ""
    return " ".join("".join(node.itertext()).split())


def _html(element: etree._Element | None) -> str:
    """An element's HTML body: its text (escaped HTML or CDATA), or its XHTML children."""
    if element is None:
        return ""
    if len(element):
        inner = [etree.tostring(child, encoding="unicode", with_tail=True) for child in element]
        return (element.text or "") + "".join(inner)
    return element.text or ""


def _date(value: str, tz: tzinfo) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) → aware UTC; ``None`` if unreadable."""
    if not value:
        return None
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 pushed past the calendar by the offset
        return None


class FeedSource:
    """Engine ``rss``: a forum read through its feeds. Each board id is a feed URL relative to
    ``base_url`` (``latest.rss``, ``feed.php?f=2``, ``forum.php?mod=rss&fid=2``); threads are
    read from per-thread feeds when ``options.thread_feed`` names them (:attr:`reads_threads`),
    and not at all otherwise — a crawler then only learns which threads exist."""

    engine = "rss"

    def __init__(
        self, base_url: str, options: FeedOptions | None = None, timezone: str = "Asia/Shanghai"
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.options = options or FeedOptions()
        self.tz = ZoneInfo(timezone)
        self._thread_id = re.compile(self.options.thread_id) if self.options.thread_id else None
        self._floor = re.compile(self.options.floor) if self.options.floor else None

    @property
    def reads_threads(self) -> bool:
        return bool(self.options.thread_feed)

    def board_url(self, board_id: str, page: int = 1) -> str:
        """The feed (feeds have one page; ``page`` is ignored)."""
        return urljoin(self.base_url, board_id)

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        if not self.options.thread_feed:
            return urljoin(self.base_url, thread_id)
        return urltemplate.fill(self.options.thread_feed, self.base_url, per_page=1, thread=thread_id)

    def parse_board(self, xml: str, url: str, now: datetime) -> BoardPage:
        feed = read_feed(xml, url, self.tz)
        threads = [
            ThreadSummary(
                thread_id=self._id(entry),
                title=entry.title,
                author=entry.author,
                author_id=None,
                replies=0,
                views=0,
                sticky=False,
                url=entry.link,
                created_at=entry.published or entry.updated,
                last_post_at=entry.updated if entry.published else None,
                missing=BOARD_MISSING,
            )
            for entry in feed.entries
        ]
        board_id = url[len(self.base_url) :] if url.startswith(self.base_url) else url
        return BoardPage(board_id, feed.title, 1, 1, threads)

    def parse_thread(self, xml: str, url: str, now: datetime) -> ThreadPage:
        feed = read_feed(xml, url, self.tz)
        dated = [(entry.published or entry.updated, entry) for entry in feed.entries]
        undated = [entry.link for when, entry in dated if when is None]
        if undated:
            raise ParseError(url, f"feed entry without a date: {undated[0][:100]!r}")
        ordered = sorted(dated, key=lambda pair: pair[0] or now)
        posts = [self._post(entry, when or now, index) for index, (when, entry) in enumerate(ordered, 1)]
        where = urltemplate.extract(self.options.thread_feed, self.base_url, url, per_page=1)
        return ThreadPage(where.get("thread") or url, None, feed.title, 1, 1, posts)

    def _id(self, entry: FeedEntry) -> str:
        if self._thread_id is not None:
            found = self._thread_id.search(entry.link)
            if found:
                return found.group(1) if self._thread_id.groups else found.group(0)
        return entry.link or entry.guid

    def _post(self, entry: FeedEntry, when: datetime, index: int) -> PostRecord:
        floor = None
        if self._floor is not None:
            found = self._floor.search(entry.link)
            floor = int(found.group(1)) if found and found.group(1).isdigit() else None
        words = split_text(parse_fragment(entry.summary_html), FEED_TEXT)
        missing = {"floor"} if floor is None else set()
        return PostRecord(
            post_id=entry.guid or entry.link,
            floor=floor or index,
            author=entry.author,
            author_id=None,
            posted_at=when,
            text=words.text,
            quoted=words.quoted,
            missing=frozenset(missing),
        )


def _classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


# Quotes in feed bodies: <blockquote>, Discourse's <aside class="quote"> (its <div class="title">
# "user:" line is the attribution), phpBB's <blockquote><cite>.
FEED_TEXT = TextRules(
    quote=lambda e: e.tag == "blockquote" or (e.tag == "aside" and "quote" in _classes(e)),
    attribution=lambda e: e.tag == "cite" or "title" in _classes(e),
)
BOARD_MISSING = frozenset({"replies", "views", "sticky"})
