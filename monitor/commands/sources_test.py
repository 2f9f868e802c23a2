"""``monitor sources test KEY``: read a source's first board page and one of its threads as a pass
would, and print what the adapter found — rows, posts, floors, authors, times — storing nothing.

For ops writing a ``generic`` entry: a selector that finds nothing, a date it cannot read or a pager
it misreads shows here, before the first crawl fills the database with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from monitor.alerting.render import clean_text
from monitor.config.files import SourceConfig
from monitor.config.loader import load_config
from monitor.config.settings import Settings
from monitor.crawl_board_list import FirstRead, all_older
from monitor.detect.velocity import counted
from monitor.errors import FetchError, ParseError, UnknownNameError
from monitor.fetch.addresses import guarded_client, policy_for
from monitor.fetch.client import Fetcher, Politeness
from monitor.fetch.tls import tls_context
from monitor.sources.base import BoardPage, Source, ThreadPage, ThreadSummary
from monitor.sources.registry import make_source

P = TypeVar("P", BoardPage, ThreadPage)


def add_test_parser(tasks: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    test = tasks.add_parser(
        "test",
        help="read a source's first board page and one thread as a pass would and print what was found "
        "(nothing is stored); exits 1 if a page cannot be fetched or read",
    )
    test.add_argument("key", help="the source's key in sources.yaml")
    test.add_argument("--board", help="board id (default: the source's first board)")
    test.add_argument("--thread", help="thread id to read (default: the listed thread with the most replies)")
    test.set_defaults(handler=test_source)
    return test


def test_source(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ, links=False, sends=False, without_watch_groups=True)
    source = next((s for s in config.sources if s.key == args.key), None)
    if source is None:
        known = ", ".join(s.key for s in config.sources) or "none"
        raise UnknownNameError(
            f"no source {args.key!r} in {config.directory / 'sources.yaml'} (known: {known})"
        )
    adapter = make_source(source, config.settings.general.timezone)
    zone = ZoneInfo(config.settings.general.timezone)
    print(f"{source.key}: {source.name} ({source.engine} {source.base_url}) — nothing is stored")
    return asyncio.run(_test(source, adapter, config.settings, zone, args.board, args.thread))


async def _test(
    source: SourceConfig,
    adapter: Source,
    settings: Settings,
    zone: ZoneInfo,
    board: str | None,
    thread: str | None,
) -> int:
    fetch = settings.fetch
    policy = policy_for(fetch.private_networks, [str(source.base_url)])
    verify = tls_context(fetch.ca_bundle)  # as a pass reads it: an intranet forum's private CA too
    async with guarded_client(
        policy, proxy=fetch.proxy, verify=verify, timeout=fetch.timeout_seconds
    ) as client:
        fetcher = Fetcher(
            client,
            max_redirects=fetch.max_redirects,
            user_agent=fetch.user_agent,
            politeness=Politeness(1, fetch.per_host_delay_seconds),
            retries=min(fetch.retries, 1),  # someone is waiting
            respect_robots=fetch.respect_robots_txt,
        )
        try:
            board_id = board or source.boards[0]
            first_page = await fetcher.get(adapter.board_url(board_id, 1))
            first = adapter.parse_board(first_page.text, first_page.url, first_page.now)
            _show_board(first, adapter.board_url(board_id, 1), zone)
            if first.page_count > 1 and source.pages_per_board > 1:
                second = await _read(fetcher, adapter.board_url(board_id, 2), adapter.parse_board)
                listed = {t.thread_id for t in first.threads}
                new = [t for t in second.threads if t.thread_id not in listed]
                print(
                    f"  page 2 of {second.page_count}: {len(second.threads)} rows, {len(new)} not on page 1"
                )
            elif first.page_count > 1:
                print(f"  pages_per_board is {source.pages_per_board}: a pass reads no page after page 1")
            print(_first_read(source, first, first_page.now))  # the rows are dated on the forum's clock
            chosen = thread or _busiest(first.threads)
            if chosen is None:
                generic = source.engine == "generic"
                where = " (a generic entry: board.row and board.link find none on it)" if generic else ""
                print(f"error: no thread rows read from the board page{where}")
                return 1
            url = adapter.thread_url(chosen, 1)
            page = await _read(fetcher, url, adapter.parse_thread)
            _show_thread(page, url, zone)
            if page.page_count > 1:
                last_url = adapter.thread_url(chosen, page.page_count)
                last = await _read(fetcher, last_url, adapter.parse_thread)
                floors = [p.floor for p in last.posts]
                shown = f"floors {min(floors)}–{max(floors)}" if floors else "no posts"
                print(
                    f"  page {last.page} of {last.page_count}: {len(last.posts)} posts, {shown} ({last_url})"
                )
        except (FetchError, ParseError) as exc:
            print(f"error: {exc}")
            return 1
    return 0


async def _read(fetcher: Fetcher, url: str, parse: Callable[[str, str, datetime], P]) -> P:
    page = await fetcher.get(url)
    return parse(page.text, page.url, page.now)


def _first_read(source: SourceConfig, first: BoardPage, now: datetime) -> str:
    """What the board's first read would do (monitor/crawl_board_list.py), judged on page 1."""
    cap, days = source.first_read_cap, source.first_read_days
    if cap <= source.pages_per_board:
        return f"  first_read_pages is {cap}: a board's first read reads no more pages than a pass"
    said = f"  a board's first read pages back up to {cap} pages / {counted(days, 'day', 'days')}"
    said += f" (the board has {first.page_count})"
    first_read = FirstRead.at(now, cap, days)
    rows = [row for row in first.threads if not row.sticky]
    undated = sum(1 for row in rows if row.last_post_at is None)
    recent = sum(1 for row in rows if not first_read.older(row)) - undated
    if not rows:
        return f"{said}: page 1 lists no rows but stickies"
    if all_older(first, first_read) and source.pages_per_board == 1:
        return f"{said}: page 1's rows all had their last post longer ago, so it reads page 1 only"
    if undated:
        return (
            f"{said}: {undated} of page 1's {len(rows)} rows show no last post time, so it reads "
            "on to the cap or the last page (a generic entry: board.last_post)"
        )
    return (
        f"{said}: {recent} of page 1's {len(rows)} rows had a post in the last {counted(days, 'day', 'days')}"
    )


def _busiest(rows: list[ThreadSummary]) -> str | None:
    ordered = sorted(rows, key=lambda t: (t.sticky, -t.replies))
    return ordered[0].thread_id if ordered else None


def _show_board(page: BoardPage, url: str, zone: ZoneInfo) -> None:
    name = f" {clean_text(page.board_name)}" if page.board_name else " (board_name found nothing)"
    print(f"board {page.board_id or '?'}{name}, page {page.page} of {page.page_count}: {url}")
    for row in page.threads:
        sticky = "sticky " if row.sticky else ""
        counts = " ".join(
            f"{label} {'—' if label in row.missing else value}"
            for label, value in (("replies", row.replies), ("views", row.views))
        )
        when = f"started {_when(row.created_at, zone)}, last {_when(row.last_post_at, zone)}"
        author = f"{clean_text(row.author) or '?'} ({row.author_id or '?'})"
        print(f"  {row.thread_id:>8} {sticky}{clean_text(row.title)[:40]} — {author}; {counts}; {when}")
    missing = sorted({m for row in page.threads for m in row.missing})
    print(
        f"  {len(page.threads)} rows" + (f"; the list does not show: {', '.join(missing)}" if missing else "")
    )
    undated = sum(1 for row in page.threads if row.created_at is None)
    if undated:
        print(
            f"  {undated} rows without a start date (board.created found nothing, or a date it cannot read)"
        )


def _show_thread(page: ThreadPage, url: str, zone: ZoneInfo) -> None:
    print(f"thread {page.thread_id}: {clean_text(page.title)}, page {page.page} of {page.page_count}: {url}")
    for post in page.posts:
        quoted = f" «quoted: {clean_text(post.quoted)[:30]}»" if post.quoted else ""
        author = f"{clean_text(post.author) or '?'} ({post.author_id or '?'})"
        print(
            f"  floor {post.floor:>3} {post.post_id:>10} {author} {_when(post.posted_at, zone)}: "
            f"{clean_text(post.text)[:40]}{quoted}"
        )
    counts = ", ".join(
        f"{k} {v}" for k, v in (("replies", page.replies), ("views", page.views)) if v is not None
    )
    print(f"  {len(page.posts)} posts" + (f"; the page shows {counts}" if counts else ""))


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment is not None else "—"
