"""A 200 page that is a firewall's, a challenge or a CAPTCHA instead of the forum's.

The fetcher tells such an answer from its status and headers when it is an error (403, 503 …);
one sent with HTTP 200 is only known by its words. To keep that conservative, a 200 page is
looked at only when its parser could not read it, or read nothing from it — a board list with no
threads, a thread page with no posts: a page that reads as the forum's is the forum's, whatever
its threads are called (:func:`monitor.fetch.blocked.find_block`). One that is a block fails as
:class:`~monitor.fetch.blocked.PageBlocked` — never an empty board, never a thread without
posts — and its host is left alone a while, as for an error answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from monitor.errors import ParseError
from monitor.fetch.blocked import find_block
from monitor.fetch.client import Fetcher, Page
from monitor.sources.base import BoardPage, ThreadPage

P = TypeVar("P", BoardPage, ThreadPage)


def parsed_unless_blocked(
    parse: Callable[[str, str, datetime], P], fetched: Page, url: str, now: datetime, fetcher: Fetcher
) -> P:
    """``parse`` the fetched page; raise :class:`~monitor.fetch.blocked.PageBlocked` (resting its
    host) when it cannot be read, or reads as nothing, and is a guard's page; else as ``parse`` does."""
    try:
        parsed = parse(fetched.text, url, now)
    except ParseError:
        refuse_if_blocked(fetched, url, fetcher)
        raise
    if read_nothing(parsed):
        refuse_if_blocked(fetched, url, fetcher)
    return parsed


def read_nothing(parsed: BoardPage | ThreadPage) -> bool:
    """A board list page listing no threads (not a placeholder), or a thread page with no posts."""
    if isinstance(parsed, BoardPage):
        return not parsed.threads and not parsed.provisional
    return not parsed.posts


def refuse_if_blocked(fetched: Page, url: str, fetcher: Fetcher) -> None:
    block = find_block(fetched.status, {}, fetched.text)
    if block is not None:
        fetcher.refuse_blocked(url, block, fetched.body)
