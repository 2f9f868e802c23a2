"""Discuz! mobile JSON API v4 (``api/mobile/index.php?version=4&module=forumdisplay|viewthread``).

The best format where robots.txt allows it (Discuz!'s default robots.txt does not: it
disallows ``/api/``): exact dates (``dbdateline``/``dblastpost`` are Unix times, where the
web pages print ``3 小时前``), reply and view counts on every page, floors (``position``).

Quirks handled here:

* a GBK site says ``"Charset":"GBK"`` inside the JSON and nothing in the ``Content-Type``.
  X3.5 escapes every non-ASCII character (``\\uXXXX``); a reply in raw GBK bytes (a site or
  plugin that does not escape them) is read by that member in
  :func:`monitor.fetch.decode.decode_page`.
* subjects and names are HTML-escaped once (``&amp;``), like the database stores them;
  a post's ``message`` is its rendered HTML with every ``&`` escaped once more
  (``&amp;lt;``), so it is un-escaped once before it is read as HTML.
* quotes are ``div.reply_wrap`` with the ``goto=findpost`` attribution link.
* an error (no permission, deleted thread, closed API) is ``{"Message": {"messageval",
  "messagestr"}}`` without the board or thread: a :class:`ParseError` quoting it.
* PHP lists with gaps arrive as JSON objects; both shapes are read.
"""

from __future__ import annotations

import html as htmllib
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from monitor.errors import ParseError
from monitor.sources import discuz_common as common
from monitor.sources.base import BoardPage, PostRecord, ThreadPage, ThreadSummary
from monitor.sources.discuz_text import post_text
from monitor.sources.markup import parse_fragment
from monitor.sources.timeparse import parse_forum_time


def _as_list(value: object) -> object:
    """PHP arrays with non-sequential keys are JSON objects: take their values in order."""
    if isinstance(value, dict):
        return list(value.values())
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Message(_Model):
    messageval: str = ""
    messagestr: str = ""


class _Row(_Model):
    tid: int
    subject: str = ""
    author: str = ""
    authorid: int = 0
    replies: int = 0
    views: int = 0
    displayorder: int = 0
    dbdateline: int | None = None
    dblastpost: int | None = None


class _Forum(_Model):
    fid: int
    name: str = ""
    threads: int = 0
    threadcount: int | None = None


class _BoardVariables(_Model):
    forum: _Forum
    forum_threadlist: Annotated[list[_Row], BeforeValidator(_as_list)] = []
    tpp: int = 20
    page: int | None = None


class _Post(_Model):
    pid: int
    position: int | None = None
    number: int | None = None
    author: str = ""
    authorid: int = 0
    anonymous: int = 0
    dbdateline: int | None = None
    dateline: str = ""
    message: str = ""


class _Thread(_Model):
    tid: int
    fid: int | None = None
    subject: str = ""
    replies: int = 0
    views: int | None = None


class _ThreadVariables(_Model):
    thread: _Thread
    postlist: Annotated[list[_Post], BeforeValidator(_as_list)] = []
    ppp: int = 10


def parse_api_board(
    text: str, url: str, now: datetime, tz: ZoneInfo, thread_url: Callable[[str], str]
) -> BoardPage:
    data = _variables(text, url, "forum")
    try:
        board = _BoardVariables.model_validate(data)
    except ValidationError as exc:
        raise ParseError(url, f"unexpected forumdisplay JSON: {_first_error(exc)}") from exc
    threads = [
        ThreadSummary(
            thread_id=str(row.tid),
            title=htmllib.unescape(row.subject),
            author=htmllib.unescape(row.author),
            author_id=str(row.authorid) if row.authorid else None,
            replies=row.replies,
            views=row.views,
            sticky=row.displayorder > 0,
            url=thread_url(str(row.tid)),
            created_at=_unix(row.dbdateline, url),
            last_post_at=_unix(row.dblastpost, url),
        )
        for row in board.forum_threadlist
    ]
    count = board.forum.threadcount if board.forum.threadcount is not None else board.forum.threads
    page = board.page or int(common.match(common.PAGE, url) or 1)
    page_count = max(1, math.ceil(count / max(board.tpp, 1)), page)
    return BoardPage(str(board.forum.fid), htmllib.unescape(board.forum.name), page, page_count, threads)


def parse_api_thread(text: str, url: str, now: datetime, tz: ZoneInfo) -> ThreadPage:
    data = _variables(text, url, "thread")
    try:
        variables = _ThreadVariables.model_validate(data)
    except ValidationError as exc:
        raise ParseError(url, f"unexpected viewthread JSON: {_first_error(exc)}") from exc
    thread, ppp = variables.thread, max(variables.ppp, 1)
    posts = [_post(post, url, now, tz) for post in variables.postlist]
    # The page the posts are on, from their floors (the reply does not echo the page asked for).
    page = (posts[0].floor - 1) // ppp + 1 if posts else int(common.match(common.PAGE, url) or 1)
    return ThreadPage(
        thread_id=str(thread.tid),
        board_id=str(thread.fid) if thread.fid else None,
        title=htmllib.unescape(thread.subject),
        page=page,
        page_count=max(1, math.ceil((thread.replies + 1) / ppp), page),
        posts=posts,
        replies=thread.replies,
        views=thread.views,
    )


def _post(post: _Post, url: str, now: datetime, tz: ZoneInfo) -> PostRecord:
    floor = post.position or post.number
    if not floor or floor < 1:
        raise ParseError(url, f"post {post.pid}: no position")
    posted_at = _unix(post.dbdateline, url)
    if posted_at is None:
        try:
            posted_at = parse_forum_time(htmllib.unescape(post.dateline), now, tz)
        except ValueError as exc:
            raise ParseError(url, f"post {post.pid}: {exc}") from exc
    words = post_text(parse_fragment(post.message.replace("&amp;", "&")))
    anonymous = post.anonymous != 0 or not post.author
    return PostRecord(
        post_id=str(post.pid),
        floor=floor,
        author="匿名" if anonymous else htmllib.unescape(post.author),
        author_id=None if anonymous or not post.authorid else str(post.authorid),
        posted_at=posted_at,
        text=words.text,
        quoted=words.quoted,
    )


def _variables(text: str, url: str, needed: str) -> dict[str, Any]:
    """The reply's ``Variables``; a :class:`ParseError` quoting Discuz's message when ``needed``
    is not in it."""
    try:
        reply = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(url, f"not JSON: {exc}") from exc
    if not isinstance(reply, dict):
        raise ParseError(url, "not a Discuz API reply: not a JSON object")
    variables = reply.get("Variables")
    if isinstance(variables, dict) and isinstance(variables.get(needed), dict):
        return variables
    message = reply.get("Message")
    if isinstance(message, dict):
        try:
            notice = _Message.model_validate(message)
        except ValidationError:
            notice = _Message()
        words = notice.messagestr or notice.messageval
        raise ParseError(url, f"Discuz API message: {htmllib.unescape(words)[:200]}")
    raise ParseError(url, f"not a Discuz API reply: no Variables.{needed}")


def _unix(value: int | None, url: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ParseError(url, f"not a Unix time: {value}") from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"
