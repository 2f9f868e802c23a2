"""``monitor sources backfill KEY``: page back through a source's boards once more, by hand
(:mod:`monitor.backfill`), and print one line per board.

It is a crawl: it takes the database's run lock (:mod:`monitor.store.run_lock`) as ``monitor run``
and ``monitor crawl`` do, so it refuses while one of them runs, rather than race its writes —
``--dry-run`` reads list pages only and stores nothing, so it runs beside them. A host resting after
a block or a long ``Retry-After`` is not asked: the command refuses, naming until when and why,
unless ``--wake`` ends the rest first (as ``monitor sources wake`` does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.config.files import SourceConfig
from monitor.config.loader import MonitorConfig, load_config
from monitor.crawl_board_list import FirstRead
from monitor.detect.velocity import counted
from monitor.display_text import clean_text
from monitor.errors import MonitorError, UnknownNameError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.app import App

LOCK_ADVICE = (
    "A backfill is a crawl: stop `monitor run` (or let `monitor crawl --once` end), run the backfill, "
    "then start it again; `--dry-run` runs beside it."
)


def add_backfill_parser(
    tasks: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    backfill = tasks.add_parser(
        "backfill",
        help="page back through a source's boards once more, as a board's first read does, and read the "
        "threads found through the whole pipeline; one line per board",
    )
    backfill.add_argument("key", help="the source's key in sources.yaml")
    backfill.add_argument(
        "--board", action="append", default=[], help="only this board (repeatable; default: every board)"
    )
    backfill.add_argument(
        "--pages", type=_within(1, 50), default=None, help="list pages at most (default: first_read_pages)"
    )
    backfill.add_argument(
        "--days",
        type=_within(1, 90),
        default=None,
        help="stop at a page whose rows all had their last post longer ago (default: first_read_days)",
    )
    backfill.add_argument(
        "--dry-run",
        action="store_true",
        help="read the list pages only and say what would be read; store nothing",
    )
    backfill.add_argument(
        "--wake", action="store_true", help="end the forum's rest first, if it is resting (as `sources wake`)"
    )
    backfill.set_defaults(handler=backfill_source)
    return backfill


def backfill_source(args: argparse.Namespace) -> int:
    from monitor.app import build
    from monitor.store.run_lock import run_lock

    sends = not args.dry_run  # a dry run reads, stores and sends nothing
    config = load_config(args.config, environ=os.environ, links=sends, sends=sends)
    source, boards = _chosen(config, args.key, args.board)
    pages = args.pages if args.pages is not None else source.first_read_cap
    days = args.days if args.days is not None else source.first_read_days
    zone = config.settings.general.timezone
    app = build(config)
    try:
        now = datetime.now(UTC)
        _not_resting(app.sessions, source, now, zone, wake=args.wake)
        lookback = FirstRead.at(now, pages, days)
        heading = (
            f"{source.key}: {clean_text(source.name)} — 回溯 backfill, paging back up to "
            f"{counted(pages, 'list page', 'list pages')} / {counted(days, 'day', 'days')}"
        )
        if args.dry_run:
            print(f"{heading} (dry run: list pages only, nothing stored)")
            return asyncio.run(_dry_run(app, source, boards, lookback, now))
        with run_lock(app.engine, "monitor sources backfill", LOCK_ADVICE):
            print(heading)
            return asyncio.run(_backfill(app, source, boards, lookback, now))
    finally:
        app.close()


def _chosen(config: MonitorConfig, key: str, boards: list[str]) -> tuple[SourceConfig, list[str]]:
    """The source and boards asked for; an unknown one is refused, naming the known ones."""
    source = next((s for s in config.sources if s.key == key), None)
    if source is None:
        known = ", ".join(s.key for s in config.sources) or "none"
        raise UnknownNameError(f"no source {key!r} in {config.directory / 'sources.yaml'} (known: {known})")
    if not source.enabled:
        raise MonitorError(f"source {key!r} is disabled (enabled: false in sources.yaml): it is not crawled")
    unknown = [board for board in boards if board not in source.boards]
    if unknown:
        asked, known = ", ".join(map(repr, unknown)), ", ".join(source.boards)
        raise UnknownNameError(f"source {key!r} has no board {asked} (its boards: {known})")
    return source, list(dict.fromkeys(boards)) or list(source.boards)


def _not_resting(
    sessions: sessionmaker[Session], source: SourceConfig, now: datetime, zone: str, *, wake: bool
) -> None:
    """Refuse while the forum rests (after a block or a long Retry-After), unless ``wake``."""
    from monitor.store.host_rests import StoredRests

    rests = StoredRests(sessions)
    netloc = urlsplit(str(source.base_url)).netloc
    rest = rests.load(netloc)
    if rest is None or rest.resting_until is None or rest.resting_until <= now:
        return
    until = rest.resting_until.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    if not wake:
        raise MonitorError(
            f"{source.key} ({netloc}) is resting: not asked anything before {until} ({zone}): "
            f"{clean_text(rest.cause)}. A backfill asks it nothing meanwhile, as the crawl does; if its "
            f"admin has let the monitor in again, add --wake (or run `monitor sources wake {source.key}`)"
        )
    rests.lift(netloc, now)
    print(f"{source.key} ({netloc}) woken: it was not to be asked before {until}: {clean_text(rest.cause)}")


async def _backfill(
    app: App, source: SourceConfig, boards: list[str], lookback: FirstRead, now: datetime
) -> int:
    from monitor.backfill import backfill

    async with app.pipeline() as pipeline:
        done, report = await backfill(pipeline, app.sessions, source, boards, lookback, now)
    for board in done:
        print(f"  {board.said()}")
    outbox = app.deliver(datetime.now(UTC))
    not_sent = f", {outbox.failed} not sent (see the log)" if outbox.failed else ""
    print(
        f"{counted(report.pages_fetched, 'page', 'pages')} read, {report.pages_failed} could not be read; "
        f"{counted(report.posts_new, 'new post', 'new posts')}, "
        f"{counted(len(report.alert_changes), 'alert change', 'alert changes')}; "
        f"{counted(outbox.sent, 'delivery', 'deliveries')} sent{not_sent}, {outbox.pending} queued"
    )
    return 0 if report.pages_failed == 0 and all(board.found is not None for board in done) else 1


async def _dry_run(
    app: App, source: SourceConfig, boards: list[str], lookback: FirstRead, now: datetime
) -> int:
    from monitor.backfill import dry_run

    async with app.pipeline() as pipeline:
        done = await dry_run(pipeline, app.sessions, source, boards, lookback, now)
    for board in done:
        print(f"  {board.said(dry_run=True)}")
    failed = any(board.found is None or board.found.stop.endswith("failed") for board in done)
    return 1 if failed else 0


def _within(low: int, high: int) -> type[int]:
    def number(given: str) -> int:
        try:
            value = int(given)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"not a whole number from {low} to {high}: {given!r}")
        return value

    return number  # type: ignore[return-value]
