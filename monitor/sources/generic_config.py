"""The ``selectors:`` block of a ``generic`` source and the ``feed:`` block of an ``rss`` source.

A value on a page is found by an *extract*: CSS selector, then an attribute or the text, then
optionally a regular expression. Written either as a mapping ``{css, attr, pattern}`` or as
a string ``"css"`` (the text of the first match) / ``"css @attr"`` / ``"@attr"`` (an attribute
of the row or post itself); a list of extracts is tried in order until one gives a value.
Selectors and patterns are checked when the file is loaded, so a typo is reported with its key.
"""

from __future__ import annotations

import re
from typing import Annotated

from cssselect import GenericTranslator, SelectorError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from monitor.sources import urltemplate

_SHORTHAND = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[\w:-]+)$")


def check_css(selector: str) -> str:
    """``selector`` if cssselect can compile it, else ``ValueError`` with the reason."""
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from exc
    return selector


def check_pattern(pattern: str) -> str:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
    if compiled.groups > 1:
        raise ValueError(f"pattern {pattern!r} must have at most one group (the value)")
    return pattern


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Extract(_Model):
    """One way to find a value inside a scope (the page, a thread row or a post)."""

    css: str = Field("", description="CSS selector inside the scope; empty: the scope element itself.")
    attr: str = Field("", description="Attribute to read (href, title, datetime…); empty: the text.")
    pattern: str = Field("", description="Regular expression; its group (or whole match) is the value.")

    @field_validator("css")
    @classmethod
    def _css(cls, value: str) -> str:
        return check_css(value) if value else value

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_pattern(value) if value else value


def _extracts(value: object) -> object:
    items = value if isinstance(value, list | tuple) else [value]
    out: list[object] = []
    for item in items:
        if isinstance(item, str):
            shorthand = _SHORTHAND.match(item.strip())
            out.append(dict(shorthand.groupdict()) if shorthand else {"css": item.strip()})
        else:
            out.append(item)
    return tuple(out)


Extracts = Annotated[tuple[Extract, ...], BeforeValidator(_extracts)]
Css = Annotated[str, BeforeValidator(lambda v: check_css(v) if isinstance(v, str) and v else v)]


class BoardSelectors(_Model):
    """A board's thread list: one ``row`` per thread; every other extract is inside a row."""

    row: Css = Field(description="Each thread row of the list.")
    link: Extracts = Field(description="The link to the thread (its href gives the URL and id).")
    title: Extracts = Field((), description="Thread title; default: the link's text.")
    author: Extracts = Field((), description="Name of the thread's author.")
    author_id: Extracts = Field((), description="Author's user id (e.g. from the profile link).")
    replies: Extracts = Field((), description="Reply count; unset: replies is missing from the rows.")
    views: Extracts = Field((), description="View count; unset: views is missing from the rows.")
    created: Extracts = Field((), description="When the thread was started.")
    last_post: Extracts = Field((), description="When the last reply was posted.")
    sticky: Css = Field("", description="Matches a sticky row (the row itself or inside it).")
    board_name: Extracts = Field((), description="The board's name (page scope).")


class ThreadSelectors(_Model):
    """A thread page: one ``post`` block per post; ``title`` and counts are page scope."""

    post: Css = Field(description="Each post block.")
    title: Extracts = Field(description="The thread's title (page scope).")
    post_id: Extracts = Field((), description="The post's own id; unset: '#<floor>' stand-ins.")
    author: Extracts = Field(description="Name of the post's author.")
    author_id: Extracts = Field((), description="Author's user id.")
    time: Extracts = Field(description="When the post was posted.")
    text: Css = Field(description="The post's body (its words).")
    quote: Css = Field("", description="Quote blocks inside the body: their text goes to 'quoted'.")
    quote_attribution: Css = Field("", description="The 'X wrote:' line inside a quote, left out.")
    drop: list[Css] = Field(default_factory=list, description="Parts of the body to leave out.")
    floor: Extracts = Field((), description="The post's floor; unset: counted from the page.")
    first_floor: int = Field(
        1, ge=0, le=1, description="The floor the forum shows on the opening post: 1 (1楼) or 0 (#0, NGA)."
    )
    replies: Extracts = Field((), description="Reply count shown on the page (page scope).")
    views: Extracts = Field((), description="View count shown on the page (page scope).")
    board_id: Extracts = Field((), description="The thread's board id (page scope).")


class PagerSelectors(_Model):
    """Where a page says which page it is and how many there are (page scope)."""

    current_page: Extracts = Field((), description="The current page number; unset: from the URL.")
    page_count: Extracts = Field((), description="The number of pages (largest number it shows).")
    next_page: Css = Field("", description="A link to the next page; when present, there is one more.")


class GenericSelectors(_Model):
    """How to read a forum that has no adapter of its own, by CSS selectors."""

    board_url: str = Field(description="Board list URL, relative to base_url: {board}, {page}, {start}.")
    thread_url: str = Field(description="Thread page URL, relative to base_url: {thread}, {page}, {start}.")
    thread_id: str = Field("", description="Regex whose group is the thread id in a thread link.")
    threads_per_page: int = Field(20, ge=1, description="Threads per board list page ({start} steps).")
    time_formats: list[str] = Field(
        default_factory=list, description="strptime formats for dates that are not ISO or Chinese forms."
    )
    refuse: list[Css] = Field(
        default_factory=list, description="Marks of a page that is not content (login form, captcha)."
    )
    board: BoardSelectors
    thread: ThreadSelectors
    pager: PagerSelectors = Field(default_factory=lambda: PagerSelectors())

    @field_validator("board_url", "thread_url")
    @classmethod
    def _template(cls, value: str) -> str:
        return urltemplate.check(value)

    @field_validator("thread_id")
    @classmethod
    def _thread_id(cls, value: str) -> str:
        return check_pattern(value) if value else value


class FeedOptions(_Model):
    """Options of an ``rss`` source. Its ``boards`` are feed URLs relative to ``base_url``."""

    thread_feed: str = Field(
        "", description="Per-thread feed URL, relative to base_url, with {thread}; unset: boards only."
    )
    thread_id: str = Field("", description="Regex whose group is the thread id in an item's link.")
    floor: str = Field("", description="Regex whose group is the post's floor in a thread-feed item's link.")

    @field_validator("thread_feed")
    @classmethod
    def _template(cls, value: str) -> str:
        return urltemplate.check(value) if value else value

    @field_validator("thread_id", "floor")
    @classmethod
    def _patterns(cls, value: str) -> str:
        return check_pattern(value) if value else value
