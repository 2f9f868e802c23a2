"""``monitor watch list|add|remove|test|backtest|history``: ops manage watch groups without a restart.

Command bodies call :mod:`monitor.enrich.watch_admin`; the running service picks up the edited
file on its next pass (:class:`monitor.enrich.watch_admin.WatchGroupsReloader`).
"""

from __future__ import annotations

import argparse
import os
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.alerting.render import clean_text, shorten
from monitor.commands.watch_input import count, days, group_options, proposed_groups, utc
from monitor.config.files import WatchGroupConfig
from monitor.detect.velocity import counted
from monitor.enrich.category import classify_complaint
from monitor.enrich.keywords import WatchMatcher
from monitor.enrich.me_too import MeTooReading, read_me_too
from monitor.enrich.signals import RESONANCE, SIGNAL_LABELS, Signal, detect_signals
from monitor.enrich.watch_admin import (
    add_group,
    check_additions,
    current_user,
    load_watch_groups,
    remove_group,
    watch_file,
)
from monitor.enrich.watch_audit import audit_path, change_lines, iter_audit
from monitor.enrich.watch_backtest import BacktestHit, backtest
from monitor.errors import StoreError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watch = commands.add_parser("watch", help="list, add, remove, test and backtest watch groups")
    tasks = watch.add_subparsers(dest="watch_command", required=True, metavar="TASK")

    listing = _with_config(tasks.add_parser("list", help="the watch groups and their terms"))
    listing.set_defaults(handler=_list)

    add = _with_config(
        tasks.add_parser(
            "add",
            help="add a watch group to watch_groups.yaml (validated, recorded; the service reloads it)",
            description="A post matches when an include term or alias occurs outside the exclude words "
            'and the expression, if any, holds. Expressions: AND OR NOT ( ) "quoted phrases" '
            "(also & | ! and full-width （ ） ＆ ｜ ！).",
        )
    )
    group_options(add, name_required=False)
    add.add_argument("--replace", action="store_true", help="replace the group of the same name")
    _with_by(add)
    add.set_defaults(handler=_add)

    remove = _with_config(tasks.add_parser("remove", help="remove a watch group (recorded)"))
    remove.add_argument("name", help="the group's name")
    _with_by(remove)
    remove.set_defaults(handler=_remove)

    test = _with_config(tasks.add_parser("test", help="which groups match a text, and why"))
    test.add_argument("text", help="the text of a post")
    test.add_argument("--title", default="", help="a thread title, matched with the text")
    test.set_defaults(handler=_test)

    back = _with_config(
        tasks.add_parser(
            "backtest", help="what a proposed group would have matched in the stored posts of the last N days"
        )
    )
    group_options(back, name_required=False)
    back.add_argument("--days", type=days, default=7, help="how far back (default 7)")
    back.add_argument("--show", type=int, default=20, help="threads listed per group (default 20)")
    back.add_argument("--now", type=utc, default=None, help=argparse.SUPPRESS)
    back.set_defaults(handler=_backtest)

    history = _with_config(tasks.add_parser("history", help="the recorded changes, newest last"))
    history.add_argument("--group", help="only this group's changes")
    history.add_argument("--last", type=count, default=20, help="how many (default 20)")
    history.add_argument(
        "--full",
        action="store_true",
        help="each change's whole group before and after, not only what changed",
    )
    history.set_defaults(handler=_history)


def _with_config(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config directory (or its monitor.toml); default $MONITOR_CONFIG, else ./config",
    )
    return parser


def _with_by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", default=None, help="who makes the change (default: the OS user)")


def _describe(group: WatchGroupConfig) -> list[str]:
    lines = [f"{group.name}  [{group.category}]"]
    for label, terms in (("include", group.include), ("aliases", group.aliases), ("exclude", group.exclude)):
        if terms:
            lines.append(f"    {label}: {', '.join(terms)}")
    if group.expression is not None:
        lines.append(f"    expression: {group.expression}")
    return lines


def _list(args: argparse.Namespace) -> int:
    file = watch_file(args.config, os.environ)
    groups = load_watch_groups(file)
    for group in groups:
        print("\n".join(_describe(group)))
    matcher = WatchMatcher(groups)
    print(
        f"{file}: {counted(len(groups), 'watch group', 'watch groups')}, "
        f"{counted(matcher.term_count, 'distinct term', 'distinct terms')}"
    )
    return 0


def _add(args: argparse.Namespace) -> int:
    file = watch_file(args.config, os.environ)
    now = datetime.now(UTC)
    groups = proposed_groups(args)
    if args.replace and args.file is None and args.category is None and file.exists():
        kept = {group.name: group.category for group in load_watch_groups(file)}  # not given: kept
        groups = [
            group.model_copy(update={"category": kept.get(group.name, group.category)}) for group in groups
        ]
    check_additions(file, groups, replace=args.replace)  # all of --file, or none of it
    for group in groups:
        record = add_group(file, group, args.by or current_user(), now, replace=args.replace)
        verb = "replaced" if record.action == "replace" else "added"
        print(f"{verb} watch group {group.name!r} in {file} (recorded in {audit_path(file).name})")
        print("\n".join(_describe(group)))
        dropped = [key for key in (record.before or {}) if key not in (record.after or {})]
        if dropped:  # --replace states the whole group: what it did not give again is gone
            said = "; ".join(f"{key} {(record.before or {})[key]}" for key in dropped)
            print(f"  dropped (not given again): {said}; `monitor watch history` has the group as it was")
    return 0


def _remove(args: argparse.Namespace) -> int:
    file = watch_file(args.config, os.environ)
    remove_group(file, args.name, args.by or current_user(), datetime.now(UTC))
    print(f"removed watch group {args.name!r} from {file}")
    still = _open_alerts(args, args.name)
    if still:
        shown = ", ".join(f"#{number}" for number in still)
        them = "alert {} stays as it is" if len(still) == 1 else "alerts {} stay as they are"
        print(
            f"  its unresolved {them.format(shown)} until resolved (`monitor alerts resolve ID --note …`); "
            "the group's threads raise no new alert"
        )
    return 0


def _open_alerts(args: argparse.Namespace, group: str) -> list[int]:
    """Unresolved alerts of watch group ``group`` in the monitor's database ([] when it cannot be read:
    the group is removed either way, and this is only a reminder)."""
    from sqlalchemy import select
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from monitor.config.loader import load_config
    from monitor.errors import MonitorError
    from monitor.store.db import make_engine, session_factory
    from monitor.store.models import Alert

    try:
        config = load_config(args.config, environ=os.environ, links=False, sends=False)
    except MonitorError:
        return []
    url = make_url(config.settings.database_url())
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return []  # never crawled: no alert, and no empty database file made here
    engine = make_engine(config.settings.database_url())
    try:
        with session_factory(engine)() as session:
            query = select(Alert.id).where(Alert.watch_group == group, Alert.status != "resolved")
            return list(session.scalars(query.order_by(Alert.id)))
    except SQLAlchemyError:
        return []
    finally:
        engine.dispose()


def _test(args: argparse.Namespace) -> int:
    file = watch_file(args.config, os.environ)
    matcher = WatchMatcher(load_watch_groups(file))
    text = f"{args.title}\n{args.text}" if args.title else args.text
    reports = matcher.explain(text)
    for report in reports:
        print(f"{report.group}: {'MATCH' if report.matched else 'no match'} — {report.reason}")
        for hit in report.hits:
            where = f"at {hit.start}–{hit.end} {text[hit.start : hit.end]!r}"
            note = f" (inside exclude word {hit.excluded_by!r}: does not count)" if hit.excluded_by else ""
            print(f"    {hit.role} {hit.term!r} {where}{note}")
    if not any(r.matched for r in reports):
        print("no watch group matches" + ("" if reports else ": none of their terms occur"))
    signals = detect_signals(text)
    me_too = _me_too(args, text, signals)
    counting = me_too.counted_signals(signals)
    shown = "; ".join(
        f"{SIGNAL_LABELS.get(s.name, s.name)} {s.term!r} at {s.start}–{s.end}" for s in counting
    )
    print(f"crisis signals: {shown or 'none'}")
    if me_too.said is not None:
        print(f"me too: {me_too.said.term!r} at {me_too.said.start}–{me_too.said.end} {me_too.explain()}")
    print(f"category: {classify_complaint(text).explain()}")
    return 0


def _me_too(args: argparse.Namespace, text: str, signals: list[Signal]) -> MeTooReading:
    """The me-too reading the pipeline would make of the post (its words scored by the configured model)."""
    if not any(signal.name == RESONANCE for signal in signals):  # no config or model needed
        return read_me_too(text, signals, None)
    from monitor.config.loader import load_config
    from monitor.enrich.sentiment import load_scorer, score_post

    model = load_config(args.config, environ=os.environ, links=False, sends=False).settings.sentiment.model
    return read_me_too(text, signals, score_post(load_scorer(model), args.text, "").own)


def _backtest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from monitor.config.loader import load_config
    from monitor.store.db import make_engine

    proposed = proposed_groups(args)
    config = load_config(args.config, environ=os.environ, links=False, sends=False)
    current = {g.name: g for g in config.watch_groups}
    now = args.now or datetime.now(UTC)
    since = now - timedelta(days=args.days)
    engine = make_engine(config.settings.database_url())
    try:
        with Session(engine) as session:
            report = backtest(session, proposed, since)
            before = backtest(session, [current[g.name] for g in proposed if g.name in current], since)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read stored posts (has the monitor crawled yet?): {exc}") from exc
    finally:
        engine.dispose()
    zone = ZoneInfo(config.settings.general.timezone)
    print(
        f"backtest over {counted(report.posts, 'post', 'posts')} in "
        f"{counted(report.threads, 'thread', 'threads')} posted since "
        f"{since.astimezone(zone):%Y-%m-%d %H:%M} ({config.settings.general.timezone}, last {args.days} days)"
    )
    for group in proposed:
        hits = report.hits[group.name]
        print(f"{group.name} (proposed): {counted(len(hits), 'thread', 'threads')}")
        for hit in hits[: args.show]:
            print(_hit_line(hit))
        if len(hits) > args.show:
            print(f"    … and {len(hits) - args.show} more (--show N)")
        if group.name in current:
            old = {h.thread_id: h for h in before.hits[group.name]}
            new = {h.thread_id: h for h in hits}
            gained = [h for t, h in new.items() if t not in old]
            lost = [h for t, h in old.items() if t not in new]
            print(
                f"  against the current {group.name!r} ({counted(len(old), 'thread', 'threads')}): "
                f"{len(gained)} newly matched, "
                f"{len(lost)} no longer matched"
            )
            for sign, items in (("+", gained), ("-", lost)):
                for hit in items[: args.show]:
                    print(sign + _hit_line(hit)[1:])
    return 0


def _hit_line(hit: BacktestHit) -> str:
    """One matched thread; its title and link are the forum's words, cleaned of terminal codes."""
    where = "title" if hit.floor == 0 else f"floor {hit.floor}"
    title = shorten(clean_text(hit.title), 60)
    return f"    #{hit.thread_id} {title} — {where}: {hit.reason} — {clean_text(hit.url)}"


def _history(args: argparse.Namespace) -> int:
    file = watch_file(args.config, os.environ)
    wanted = (r for r in iter_audit(file) if args.group is None or r.group == args.group)
    records = deque(wanted, maxlen=args.last)  # the newest, the log read once, line by line
    for record in records:
        print(f"{record.at}  {record.by}  {record.action} {record.group!r}")
        if args.full:
            if record.before is not None:
                print(f"    before: {record.before}")
            if record.after is not None:
                print(f"    after:  {record.after}")
            continue
        for line in change_lines(record):
            print(f"    {line}")
    if not records:
        print(f"no recorded changes for {file}")
    return 0
