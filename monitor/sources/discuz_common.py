"""What every Discuz! format shares: ids in URLs, the pager, floors, counts, dates, notices."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from monitor.errors import ParseError
from monitor.sources.base import PostRecord
from monitor.sources.markup import Element, by_id, css, first, text_content, text_of
from monitor.sources.timeparse import parse_forum_time

logger = logging.getLogger(__name__)

UID = re.compile(r"(?:[?&;]uid=|space-uid-)(\d+)")
TID = re.compile(r"(?:[?&;]tid=|\bthread-|\btid-)(\d+)")
FID = re.compile(r"(?:[?&;]fid=|\bforum-|\bfid-)(\d+)")
PAGE = re.compile(r"(?:[?&;]page=|\bforum-\d+-|\bthread-\d+-)(\d+)")
TOTAL_PAGES = re.compile(r"(?:共|/)\s*(\d+)\s*页")
# Discuz's default ``postno`` setting: how floors 1-4 are labelled instead of "N#".
FLOOR_NAMES = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}
# The ``提示信息`` box of a message page: deleted thread, login wall, no permission, closed board.
_PAGER = css("div.pg")
_TITLED_SPAN = etree.XPath("descendant-or-self::span[@title]")


def match(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None


def first_match(pattern: re.Pattern[str], texts: list[str]) -> str | None:
    return next((m for m in (match(pattern, t) for t in texts) if m), None)


def refuse_notice(root: Element, url: str) -> None:
    """Raise :class:`ParseError` quoting the notice when the page is a Discuz message page."""
    notice = by_id(root, "messagetext")
    if notice is not None:
        raise ParseError(url, f"Discuz message page: {text_of(notice)[:200]}")


def pager(root: Element, url: str) -> tuple[int, int]:
    """(current page, page count) from the first ``div.pg``; (1, 1) when there is none."""
    top = by_id(root, "pgt")
    box = first(_PAGER, top) if top is not None else None
    if box is None:
        box = first(_PAGER, root)
    if box is None:
        return 1, 1
    strong = box.find(".//strong")
    label = text_of(strong)
    current = int(label) if label.isdigit() else 0
    numbers = [current]
    for link in box.iter("a"):
        numbers += [int(n) for n in re.findall(r"\d+", text_content(link))]
    captions = [text_content(box), *(e.get("title") or "" for e in box.iter() if e.get("title"))]
    for caption in captions:
        numbers += [int(n) for n in TOTAL_PAGES.findall(caption)]
    if not current:
        current = int(match(PAGE, url) or 1)
    return current, max(max(numbers), current)


def number_floors(raw: list[tuple[PostRecord, str]], url: str) -> list[PostRecord]:
    """Floors from the labels (``5``, ``楼主``…); a label that is neither ``N`` nor a known name
    is inferred from its neighbours on the page."""
    floors: list[int | None] = []
    for _, label in raw:
        digits = re.match(r"\d+", label)
        floors.append(int(digits.group()) if digits else FLOOR_NAMES.get(label))
    for i in range(1, len(floors)):
        before = floors[i - 1]
        if floors[i] is None and before is not None:
            floors[i] = before + 1
    for i in range(len(floors) - 2, -1, -1):
        after = floors[i + 1]
        if floors[i] is None and after is not None:
            floors[i] = after - 1
    posts = []
    for (post, label), floor in zip(raw, floors, strict=True):
        if floor is None:
            raise ParseError(url, f"post {post.post_id}: unreadable floor label {label!r}")
        posts.append(dataclasses.replace(post, floor=floor))
    return posts


def author(cell: Element | None) -> tuple[str, str | None]:
    """(name, uid) from a cell holding the author's space link, or only a name (匿名)."""
    if cell is None:
        return "", None
    for link in cell.iter("a"):
        uid = match(UID, link.get("href") or "")
        if uid:
            return text_of(link), uid
    words = text_of(cell).split(" ")
    return words[0], None


def count(text: str, url: str, what: str) -> int:
    """A count as Discuz prints it: ``35``, ``1.2万``."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    wan = re.fullmatch(r"(\d+(?:\.\d+)?)万", text)
    if wan:
        return round(float(wan.group(1)) * 10_000)
    raise ParseError(url, f"{what}: not a number: {text!r}")


def cell_time(cell: Element, now: datetime, tz: ZoneInfo, url: str) -> datetime:
    """The date in ``cell``: its ``<span title>`` when that holds a time, else its text."""
    spans = _TITLED_SPAN(cell)
    title = spans[0].get("title") if isinstance(spans, list) and spans else None
    try:
        return parse_forum_time(text_of(cell), now, tz, title)
    except ValueError as exc:
        raise ParseError(url, str(exc)) from exc


def cell_time_or_none(cell: Element | None, now: datetime, tz: ZoneInfo, url: str) -> datetime | None:
    """A list-page date, ``None`` when the cell is missing or unreadable (logged)."""
    if cell is None or not text_of(cell):
        return None
    try:
        return cell_time(cell, now, tz, url)
    except ParseError as exc:
        logger.debug("list date left empty", extra={"url": url, "reason": exc.reason})
        return None
