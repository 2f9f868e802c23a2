"""A Discuz! forum's root from any of its URLs, as people copy them from the browser.

``base_url`` of a ``discuz`` source is the forum's root, where ``forum.php`` lives; people
paste ``…/forum.php``, a board (``forum.php?mod=forumdisplay&fid=2``, ``forum-2-1.html``,
``archiver/?fid-2.html``), a thread, or the root without its slash. :func:`forum_address`
takes the root from each — a sub-path such as ``/bbs/`` is kept — and the board, when the
URL was a board's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

# The last path segment when it is a page, not a directory: forum.php, index.php, forum-2-1.html …
_PAGE = re.compile(r"[^/]+\.(?:php|html?)$", re.IGNORECASE)
# Formats served from below the root: the archiver, the mobile JSON API.
_BELOW_ROOT = ("archiver/", "api/mobile/")
_REWRITTEN_BOARD = re.compile(r"^forum-(\d+)-\d+\.html?$", re.IGNORECASE)
_ARCHIVER_BOARD = re.compile(r"^fid-(\d+)\.html?(?:&|$)", re.IGNORECASE)
_HOST_LIKE = re.compile(r"^[\w.-]+(?::\d+)?(?:/\S*)?$")


@dataclass(frozen=True)
class ForumAddress:
    root: str  # the forum's root URL, ending in "/"
    board: str | None = None  # the board's id (fid) when the URL was a board's


def forum_address(url: str) -> ForumAddress:
    """The forum root (and board) of ``url``; ValueError saying what is wrong with it."""
    text = url.strip()
    if "://" not in text:
        hint = f" (did you mean {forum_address('http://' + text).root} ?)" if _HOST_LIKE.match(text) else ""
        raise ValueError(f"missing an 'http://' or 'https://' at the start{hint}")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{scheme}:// is not a web address: use http:// or https://")
    if not parts.hostname:
        raise ValueError("no host name")
    head, _, last = (parts.path or "/").rpartition("/")
    board = _board(last, parts.query)
    path = f"{head}/" if _PAGE.match(last) else f"{head}/{last}/" if last else f"{head}/"
    for below in _BELOW_ROOT:
        if path.endswith("/" + below):
            path = path[: -len(below)]
    return ForumAddress(urlunsplit((scheme, parts.netloc, path, "", "")), board)


def _board(last: str, query: str) -> str | None:
    if rewritten := _REWRITTEN_BOARD.match(last):
        return rewritten.group(1)
    if archived := _ARCHIVER_BOARD.match(query):
        return archived.group(1)
    values = parse_qs(query)
    fid = values.get("fid", [""])[0]
    listing = values.get("mod", values.get("module", [""]))[0] == "forumdisplay"
    return fid if listing and fid.isdigit() else None
