"""``monitor sources list|status|add|test|backfill|remove|wake`` and ``monitor threads export|rising``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.admin.sources_file import remove_source
from monitor.admin.threads_export import export_threads
from monitor.alerting.render import clean_text
from monitor.commands.sources_add import add_forum
from monitor.commands.sources_backfill import add_backfill_parser
from monitor.commands.sources_test import add_test_parser
from monitor.config.loader import config_directory, load_config
from monitor.digest.wording import counted
from monitor.errors import MonitorError, UnknownNameError
from monitor.store.db import ensure_schema, make_engine, session_factory


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sources = commands.add_parser("sources", help="list, check, add and remove the forums watched")
    tasks = sources.add_subparsers(dest="sources_command", required=True, metavar="TASK")
    listing = tasks.add_parser("list", help="the configured sources and their boards")
    _config_option(listing)
    listing.set_defaults(handler=_list)
    status = tasks.add_parser(
        "status",
        help="health per source and board: state, last success, failures, events; exits 1 if a board is "
        "failing or degraded",
    )
    _config_option(status)
    status.add_argument("--events", type=int, default=5, help="recent health events shown per source")
    status.add_argument(
        "--at",
        default=None,
        help="judge staleness as of this local time, e.g. '2026-12-06 15:30' (default: now)",
    )
    status.set_defaults(handler=_status)
    add = tasks.add_parser("add", help="add a forum to sources.yaml (boards found on its index page)")
    add.add_argument(
        "engine",
        choices=["discuz", "generic", "rss"],
        help="forum engine (discuz; others: see docs/sources.md)",
    )
    add.add_argument(
        "url",
        help="the forum's URL: its root (where forum.php lives), forum.php, or a board's or thread's page",
    )
    add.add_argument("--name", required=True, help="name shown to people")
    add.add_argument(
        "--key", help="short unique key (default: from the host name, with its port unless 80 or 443)"
    )
    add.add_argument(
        "--board",
        action="append",
        default=[],
        help="board id to watch (repeatable; default: the board of a board URL, else every board found)",
    )
    _config_option(add)
    add.set_defaults(handler=add_forum)
    _config_option(add_test_parser(tasks))
    _config_option(add_backfill_parser(tasks))
    remove = tasks.add_parser("remove", help="remove a source from sources.yaml (stored posts are kept)")
    remove.add_argument("key")
    _config_option(remove)
    remove.set_defaults(handler=_remove)
    wake = tasks.add_parser(
        "wake",
        help="ask a forum again at the next pass, before the rest its Retry-After asked for is over "
        "(its admin let the monitor in again)",
    )
    wake.add_argument("key", help="the source's key in sources.yaml")
    _config_option(wake)
    wake.set_defaults(handler=_wake)

    threads = commands.add_parser("threads", help="stored threads")
    thread_tasks = threads.add_subparsers(dest="threads_command", required=True, metavar="TASK")
    export = thread_tasks.add_parser("export", help="threads with their posts as stored, one JSON per line")
    export.add_argument("--source", help="only this source's threads (its key)")
    export.add_argument("--format", choices=["jsonl"], default="jsonl")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    _config_option(export)
    export.set_defaults(handler=_export)
    rising = thread_tasks.add_parser(
        "rising", help="watched threads by escalation score, alerting or not, with the detector's reasons"
    )
    rising.add_argument(
        "--hours",
        type=_hours,
        default=None,
        help="threads seen within this many hours (default: hot_for_hours)",
    )
    rising.add_argument("--limit", type=int, default=10, help="at most this many threads (default 10)")
    rising.add_argument(
        "--at", default=None, help="assess as of this local time, e.g. '2026-12-06 15:30' (default: now)"
    )
    rising.add_argument("--json", action="store_true", help="machine-readable output")
    _config_option(rising)
    rising.set_defaults(handler=_rising)


def _list(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ, links=False, sends=False, without_watch_groups=True)
    for source in config.sources:
        state = "" if source.enabled else " (disabled)"
        print(f"{source.key}{state}: {source.name} — {source.engine} {source.base_url}")
        print(f"    boards: {', '.join(source.boards)}")
    if not config.sources:
        print(f"no sources in {config.directory / 'sources.yaml'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from monitor.admin.forum_health import forum_health

    config = load_config(args.config, environ=os.environ, links=False, sends=False, without_watch_groups=True)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    tz = config.settings.general.timezone
    with session_factory(engine)() as session:
        sources = forum_health(session, config, args.events, now=_at(args.at, tz))
    engine.dispose()
    print(f"Forums and their boards (times in {tz}):")
    never_crawled = not any(board.stored for source in sources for board in source.boards)
    for source in sources:
        print(f"{source.key}: {source.name}")
        if source.resting_until is not None:
            cause = clean_text(source.resting_cause)
            print(f"  not asked anything before {_local(source.resting_until, tz)}: {cause}")
        for board in source.boards:
            if not board.stored and board.state == "stale" and never_crawled:
                print(
                    f"  board {board.board_id}: stale: never polled, nor any other board, and sources.yaml "
                    "has not changed lately — is `monitor run` (or its scheduler and workers, or the cron "
                    "job) running?"
                )
                continue
            if not board.stored and board.state == "stale":
                print(
                    f"  board {board.board_id}: stale: never polled, while the crawl polls other boards "
                    "and sources.yaml has not changed lately — restart `monitor run` (or its scheduler "
                    "and workers) to apply sources.yaml"
                )
                continue
            if not board.stored:
                print(f"  board {board.board_id}: never polled")
                continue
            last = _local(board.last_success_at, tz) if board.last_success_at else "never"
            named = f"{board.board_id} {clean_text(board.name)}" if board.name else board.board_id
            tried = board.thread_pages_read + board.thread_pages_failed
            pages = (
                f", {counted(tried, 'thread page', 'thread pages')}, {board.thread_pages_failed} failed"
                if board.thread_pages_failed
                else ""
            )
            since = board.degraded_since if board.state == "degraded" else None
            state = f"{board.state} since {_local(since, tz)}" if since else board.state
            if board.state == "stale" and board.last_polled_at is not None:
                every = f"{config.settings.schedule.crawl_interval_minutes:g} min"
                state = (
                    f"stale: not polled since {_local(board.last_polled_at, tz)} (a pass every {every}) — "
                    "is `monitor run` (or its scheduler and workers, or the cron job) running?"
                )
            print(
                f"  board {named}: {state}; last success {last}; "
                f"{counted(board.consecutive_failures, 'failure', 'failures')} in a row; last poll "
                f"{counted(board.last_threads_seen, 'thread', 'threads')}, "
                f"{counted(board.last_posts_new, 'new post', 'new posts')}{pages}"
                + (f"; last error: {clean_text(board.last_error)}" if board.last_error else "")
                + (f"; {board.first_read_left}" if board.first_read_left else "")
            )
        if source.events:
            print("  recent health events:")
        for event in source.events:
            kept = f" (raw page kept: {event.kept_as})" if event.kept_as else ""
            said = clean_text(f"{event.url} {event.detail[:120]}")  # the forum's words: no terminal codes
            last_at = event.last_at or event.at
            again = f" — {event.times} times, last {_local(last_at, tz)}" if event.times > 1 else ""
            if event.pages > 1:
                again += f" (on {event.pages} pages, the newest shown)"
            where = f"board {event.board}: " if event.board else ""
            print(f"    {_local(event.at, tz)} {where}{event.kind}: {said}{kept}{again}")
    # a board failing, degraded (its list read, none of its thread pages) or stale (nothing polls
    # it any more): its posts are not read
    return 1 if any(source.failing or source.degraded or source.stale for source in sources) else 0


def _at(given: str | None, timezone: str) -> datetime:
    """``--at``: a local time on the team's clock (an explicit offset is kept); default now."""
    zone = ZoneInfo(timezone)
    try:
        now = datetime.fromisoformat(given) if given else datetime.now(zone)
    except ValueError:
        raise MonitorError(f"--at: not a time: {given!r} (e.g. '2026-12-06 15:30')") from None
    return now if now.tzinfo is not None else now.replace(tzinfo=zone)


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _remove(args: argparse.Namespace) -> int:
    directory = config_directory(args.config, os.environ)
    remove_source(directory / "sources.yaml", args.key)
    print(f"removed {args.key} from {directory / 'sources.yaml'} (its stored threads are kept)")
    return 0


def _wake(args: argparse.Namespace) -> int:
    from monitor.store.host_rests import StoredRests

    config = load_config(args.config, environ=os.environ, links=False, sends=False, without_watch_groups=True)
    keys = [source.key for source in config.sources]
    if args.key not in keys:
        raise UnknownNameError(f"no source {args.key!r} in sources.yaml ({', '.join(keys) or 'none'})")
    source = next(source for source in config.sources if source.key == args.key)
    netloc = urlsplit(str(source.base_url)).netloc
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    try:
        lifted = StoredRests(session_factory(engine)).lift(netloc, datetime.now(UTC))
    finally:
        engine.dispose()
    tz = config.settings.general.timezone
    if lifted is None or lifted.resting_until is None:
        print(f"{args.key} ({netloc}) was not resting; its Retry-After waiting is forgotten all the same")
        return 0
    print(
        f"{args.key} ({netloc}) is asked again at the next pass; it was not to be asked before "
        f"{_local(lifted.resting_until, tz)}: {clean_text(lifted.cause)}. A running service drops the "
        "rest within a minute. If the forum answers with a Retry-After again, it rests again."
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ, links=False, sends=False)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    count = 0
    try:
        with session_factory(engine)() as session:
            for line in export_threads(session, args.source):
                out.write(line + "\n")
                count += 1
    finally:
        if args.output:
            out.close()
        engine.dispose()
    print(f"{counted(count, 'thread', 'threads')} exported", file=sys.stderr)
    return 0


def _rising(args: argparse.Namespace) -> int:
    from monitor.admin.rising import render_rising, rising_threads
    from monitor.facts import FactsReader

    config = load_config(args.config, environ=os.environ, links=False, sends=False)
    now = _at(args.at, config.settings.general.timezone)
    if args.limit < 1 or (args.hours is not None and args.hours <= 0):
        raise MonitorError("--limit and --hours must be positive")
    hours = args.hours if args.hours is not None else config.settings.schedule.hot_for_hours
    engine = make_engine(config.settings.database_url())
    try:
        ensure_schema(engine, config.settings.database.auto_migrate)
        with session_factory(engine)() as session:
            found = rising_threads(config, FactsReader(config), session, now.astimezone(UTC), hours)
    finally:
        engine.dispose()
    rows = found[: args.limit]
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=1))
        return 0
    detect = config.settings.detect
    print(render_rising(rows, hours, detect.general_score, detect.urgent_score, detect.very_urgent_score))
    return 0


def _hours(given: str) -> float:
    """``--hours``: a positive number of hours (argparse's float takes nan and inf)."""
    try:
        hours = float(given)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or hours <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of hours: {given!r}")
    return hours
