"""``monitor digest preview|send|list``: the weekly digest from a terminal."""

from __future__ import annotations

import argparse
import json
import os
import shlex
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from monitor.alerting.render import clean_text
from monitor.config.loader import MonitorConfig, load_config
from monitor.config.settings import WEEKDAYS
from monitor.digest.model import DigestPeriod
from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.store.models import DigestRow


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    digest = commands.add_parser("digest", help="preview, send and list the weekly digest")
    tasks = digest.add_subparsers(dest="digest_command", required=True, metavar="TASK")

    def task(name: str, help: str) -> argparse.ArgumentParser:
        parser = tasks.add_parser(name, help=help)
        parser.add_argument(
            "--config",
            type=Path,
            default=None,
            help="config directory (default $MONITOR_CONFIG, else ./config)",
        )
        return parser

    def week(parser: argparse._ActionsContainer) -> None:
        parser.add_argument(
            "--until",
            default=None,
            help=(
                "end of the week covered, local time: a date (the 7 whole days before it), a time (the 7 "
                "local days up to it) or 'now', e.g. '2026-12-07' or '2026-12-06 18:00' (default: the "
                "digest's own week, the 7 whole days before the latest [digest] weekday — the week the "
                "scheduler sends)"
            ),
        )

    preview = task("preview", "print the digest for a week (nothing is sent or kept)")
    week(preview)
    preview.add_argument("--html", type=Path, default=None, help="also write the HTML email to this file")
    preview.set_defaults(handler=_preview)
    sending = task("send", "compose the digest for a week, keep it and email it now")
    which = sending.add_mutually_exclusive_group()
    week(which)
    which.add_argument(
        "--retry",
        type=int,
        default=None,
        metavar="ID",
        help="email kept digest #ID again as it was composed (one not sent: see `monitor digest list`)",
    )
    sending.add_argument(
        "--again", action="store_true", help="send a week (with --retry, a digest) already sent once more"
    )
    sending.set_defaults(handler=_send)
    listing = task("list", "digests kept, newest first, and how sending went")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list)


def week_until(until: str | None, timezone: str, now: datetime, weekday: str = "mon") -> DigestPeriod:
    """``--until``: a local date gives the 7 whole days before it; a local time or ``now``, the 7
    local days up to it (the last one partial). Default: the digest's own week — the 7 whole days
    before the latest ``[digest] weekday`` (today, if it is that day): the week the scheduler sends,
    so a digest sent by hand and the scheduled one are the same week, sent once."""
    zone = ZoneInfo(timezone)
    if until is None:
        today = now.astimezone(zone).date()
        ends = today - timedelta(days=(today.weekday() - WEEKDAYS.index(weekday)) % 7)
        return DigestPeriod.week_ending(datetime.combine(ends, time(0), tzinfo=zone), timezone)
    text = until.strip()
    if text == "now":
        return DigestPeriod.days_to(now, timezone)
    try:
        if len(text) <= 10:
            return DigestPeriod.week_ending(
                datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone), timezone
            )
        end = datetime.fromisoformat(text)
    except ValueError:
        raise MonitorError(f"--until: not a date or time: {until!r} (e.g. '2026-12-07')") from None
    return DigestPeriod.days_to(end if end.tzinfo else end.replace(tzinfo=zone), timezone)


def _config(args: argparse.Namespace, *, sends: bool = False) -> MonitorConfig:
    """A digest carries no signed links; only ``digest send`` sends (and needs the SMTP password)."""
    return load_config(args.config, environ=os.environ, links=False, sends=sends)


def _preview(args: argparse.Namespace) -> int:
    from monitor.app import build
    from monitor.digest.send import compose

    config = _config(args)
    now = datetime.now(ZoneInfo(config.settings.general.timezone))
    digest = config.settings.digest
    period = week_until(args.until, config.settings.general.timezone, now, digest.weekday)
    app = build(config)
    try:
        with app.sessions() as session:
            row = compose(session, config, period, now, app.negative_below)
    finally:
        app.close()
    print(row.subject)
    print()
    print(row.text)
    if args.html is not None:
        args.html.write_text(row.html, encoding="utf-8")
        print(f"\nHTML written to {args.html}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from monitor.app import build
    from monitor.digest.by_hand import retry, send_week

    config = _config(args, sends=True)
    now = datetime.now(ZoneInfo(config.settings.general.timezone))
    zone, weekday = config.settings.general.timezone, config.settings.digest.weekday
    period = None if args.retry is not None else week_until(args.until, zone, now, weekday)
    app = build(config)
    try:
        with app.sessions() as session:  # sending commits as it goes (kept, claimed, sent)
            if period is None:
                row = retry(session, config, app.email, args.retry, now, again=args.again)
            else:
                row = send_week(session, config, app.email, period, now, app.negative_below, again=args.again)
            status, error, digest_id, to = row.status, row.last_error, row.id, list(row.recipients)
    finally:
        app.close()
    if status != "sent":
        again = retry_command(args.config, digest_id)
        raise MonitorError(f"digest #{digest_id} kept but not sent: {error}; try again: {again}")
    print(f"digest #{digest_id} sent to {', '.join(to)}")
    return 0


def retry_command(config: Path | None, digest_id: int) -> str:
    """The command that sends kept digest ``digest_id`` again, with the config directory given."""
    where = f" --config {shlex.quote(str(config))}" if config is not None else ""
    return f"monitor digest send{where} --retry {digest_id}"


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from monitor.app import build
    from monitor.digest.by_hand import period_of
    from monitor.store.models import DigestRow

    config = _config(args)
    timezone = config.settings.general.timezone
    zone = ZoneInfo(timezone)
    app = build(config)
    try:
        with app.sessions() as session:
            rows = list(
                session.scalars(select(DigestRow).order_by(DigestRow.period_end.desc(), DigestRow.id.desc()))
            )
    finally:
        app.close()
    # A database from before weeks were matched by their days may keep a failed digest for a week
    # another one was sent for: it says so, rather than look like a week never sent.
    sent_as = {r.period_start: r.id for r in reversed(rows) if r.status == "sent"}
    if args.json:
        kept = [
            {
                "id": r.id,
                "first_day": r.period_start.astimezone(zone).date().isoformat(),
                "last_day": _last_day(r.period_end.astimezone(zone)).isoformat(),
                "until": f"{r.period_end.astimezone(zone):%Y-%m-%d %H:%M}",
                "status": r.status,
                "attempts": r.attempts,
                "sent_at": f"{r.sent_at.astimezone(zone):%Y-%m-%d %H:%M}" if r.sent_at else None,
                "week_sent_as": sent_as.get(r.period_start) if r.status != "sent" else None,
                "recipients": list(r.recipients),
                "subject": r.subject,
                "last_error": r.last_error,
            }
            for r in rows
        ]
        print(json.dumps(kept, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("no digest kept yet (`monitor run` sends one every week; `monitor digest send` now)")
    for r in rows:
        went = _how_sending_went(r, zone, sent_as.get(r.period_start))
        print(f"#{r.id}  {period_of(r, timezone).label()}  {went}  {clean_text(r.subject)}")
        if r.last_error:
            print(f"      last error: {clean_text(r.last_error)}")
    return 0


def _how_sending_went(row: DigestRow, zone: ZoneInfo, week_sent_as: int | None) -> str:
    """``sent 2026-12-07 10:05, 2 tries``; ``failed, 1 try``; ``failed, 3 tries; the week went out as #4``."""
    tries = f"{row.attempts} {'try' if row.attempts == 1 else 'tries'}"
    if row.sent_at is not None:
        then = "" if row.status == "sent" else f" (then {row.status})"
        return f"sent {row.sent_at.astimezone(zone):%Y-%m-%d %H:%M}{then}, {tries}"
    went = f"; the week went out as #{week_sent_as}" if week_sent_as is not None else ""
    return f"{row.status}, {tries}{went}"


def _last_day(end: datetime) -> date:
    """The last day a period ending (exclusively) at ``end`` covers."""
    return (end - timedelta(microseconds=1)).date()
