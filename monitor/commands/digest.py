"""``monitor digest preview|send|list``: the weekly digest from a terminal."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.alerting.render import clean_text
from monitor.config.loader import MonitorConfig, load_config
from monitor.digest.model import DigestPeriod
from monitor.errors import MonitorError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    digest = commands.add_parser("digest", help="preview, send and list the weekly digest")
    tasks = digest.add_subparsers(dest="digest_command", required=True, metavar="TASK")

    def task(name: str, help: str) -> argparse.ArgumentParser:
        parser = tasks.add_parser(name, help=help)
        parser.add_argument("--config", type=Path, default=None, help="config directory (default ./config)")
        return parser

    def week(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--until",
            default=None,
            help=(
                "end of the week covered, local time: a date (the 7 whole days before it), a time (the 7 "
                "local days up to it) or 'now', e.g. '2026-12-07' or '2026-12-06 18:00' (default: today's "
                "midnight, so the 7 whole days before today)"
            ),
        )

    preview = task("preview", "print the digest for a week (nothing is sent or kept)")
    week(preview)
    preview.add_argument("--html", type=Path, default=None, help="also write the HTML email to this file")
    preview.set_defaults(handler=_preview)
    sending = task("send", "compose the digest for a week, keep it and email it now")
    week(sending)
    sending.add_argument("--again", action="store_true", help="send a week already sent once more")
    sending.set_defaults(handler=_send)
    listing = task("list", "digests kept, newest first, and how sending went")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list)


def week_until(until: str | None, timezone: str, now: datetime) -> DigestPeriod:
    """``--until``: a local date gives the 7 whole days before it; a local time or ``now``, the 7
    local days up to it (the last one partial). Default: the 7 whole days before today."""
    zone = ZoneInfo(timezone)
    if until is None:
        return DigestPeriod.week_ending(
            datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone), timezone
        )
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


def _config(args: argparse.Namespace) -> MonitorConfig:
    return load_config(args.config, environ=os.environ)


def _preview(args: argparse.Namespace) -> int:
    from monitor.app import build
    from monitor.digest.send import compose

    config = _config(args)
    now = datetime.now(ZoneInfo(config.settings.general.timezone))
    period = week_until(args.until, config.settings.general.timezone, now)
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
    from monitor.digest.send import compose, send, stored

    config = _config(args)
    now = datetime.now(ZoneInfo(config.settings.general.timezone))
    period = week_until(args.until, config.settings.general.timezone, now)
    app = build(config)
    try:
        with app.sessions.begin() as session:
            row = stored(session, period)
            if row is not None and row.status == "sent" and not args.again:
                sent_at = row.sent_at.astimezone(now.tzinfo) if row.sent_at else now
                raise MonitorError(
                    f"the digest for this week was sent at {sent_at:%Y-%m-%d %H:%M} (#{row.id}); "
                    "--again sends it once more"
                )
            fresh = compose(session, config, period, now, app.negative_below)
            if row is None:
                row = fresh
                session.add(row)
            else:  # recomposed: figures may have grown since
                for field in ("created_at", "subject", "text", "html", "recipients"):
                    setattr(row, field, getattr(fresh, field))
            row.next_attempt_at = None
            session.flush()
            retry = timedelta(minutes=config.settings.schedule.delivery_retry_minutes)
            send(row, app.email, now, retry)
            status, error, digest_id, to = row.status, row.last_error, row.id, list(row.recipients)
    finally:
        app.close()
    if status != "sent":
        again = f" --until {args.until!r}" if args.until else ""
        raise MonitorError(
            f"digest #{digest_id} kept but not sent: {error}; try again: monitor digest send{again}"
        )
    print(f"digest #{digest_id} sent to {', '.join(to)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from monitor.app import build
    from monitor.store.models import DigestRow

    config = _config(args)
    zone = ZoneInfo(config.settings.general.timezone)
    app = build(config)
    try:
        with app.sessions() as session:
            rows = list(session.scalars(select(DigestRow).order_by(DigestRow.period_end.desc())))
            kept = [
                {
                    "id": r.id,
                    "first_day": r.period_start.astimezone(zone).date().isoformat(),
                    "last_day": _last_day(r.period_end.astimezone(zone)).isoformat(),
                    "status": r.status,
                    "attempts": r.attempts,
                    "sent_at": r.sent_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if r.sent_at else None,
                    "recipients": list(r.recipients),
                    "subject": r.subject,
                    "last_error": r.last_error,
                }
                for r in rows
            ]
    finally:
        app.close()
    if args.json:
        print(json.dumps(kept, ensure_ascii=False, indent=1))
        return 0
    if not kept:
        print("no digest kept yet (`monitor run` sends one every week; `monitor digest send` now)")
    for item in kept:
        sent = f"sent {item['sent_at']}" if item["sent_at"] else f"{item['status']}, {item['attempts']} tries"
        week = f"{item['first_day']} – {item['last_day']}"
        print(f"#{item['id']}  {week}  {sent}  {clean_text(str(item['subject']))}")
        if item["last_error"]:
            print(f"      last error: {clean_text(str(item['last_error']))}")
    return 0


def _last_day(end: datetime) -> date:
    """The last day a period ending (exclusively) at ``end`` covers."""
    return (end - timedelta(microseconds=1)).date()
