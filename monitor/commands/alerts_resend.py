"""``monitor alerts resend ID | --all-failed [--since WHEN] [--dry-run] [--force]``: send again what the
outbox gave up, once the channel is fixed (:mod:`monitor.alerting.resend`)."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.alerting import lifecycle
from monitor.alerting.resend import RESOLVED_LONG_AGO, ResendReport, resend
from monitor.alerting.undelivered import channel_name
from monitor.commands.alert_actions import actor, local
from monitor.commands.alerts_session import alerts_session
from monitor.display_text import clean_text
from monitor.errors import MonitorError

_AGO = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def add_parser(tasks: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = tasks.add_parser(
        "resend",
        help="send again the messages the outbox gave up (after fixing the channel)",
        description="Re-queue the messages the outbox gave up: "
        "one alert's (ID) or every alert's (--all-failed). The running monitor sends them on its next "
        f"outbox run. An alert resolved more than {RESOLVED_LONG_AGO.days} day ago is left alone "
        "unless --force.",
    )
    parser.add_argument(
        "alert_id", type=int, nargs="?", metavar="ID", help="the alert whose messages to resend"
    )
    parser.add_argument("--all-failed", action="store_true", help="every alert's given-up messages")
    parser.add_argument(
        "--since",
        default=None,
        metavar="WHEN",
        help="only those given up since WHEN: 2026-11-23, '2026-11-23 03:00' (the team's time zone), 12h, 3d",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be sent; change nothing")
    parser.add_argument("--force", action="store_true", help="also alerts resolved long ago")
    parser.add_argument("--by", default=None, help="who does it (default: your login name)")
    parser.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=_resend)


def since(given: str | None, zone: str, now: datetime) -> datetime | None:
    """``--since``: a date or a date and time in ``zone``, or an age (``90m``, ``12h``, ``3d``)."""
    if given is None:
        return None
    ago = _AGO.match(given.strip())
    if ago:
        return now - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        moment = datetime.fromisoformat(given.strip())
    except ValueError:
        raise MonitorError(
            f"--since {given!r}: give a date (2026-11-23), a time ('2026-11-23 03:00') or 12h, 3d"
        ) from None
    return moment.replace(tzinfo=ZoneInfo(zone)) if moment.tzinfo is None else moment


def _resend(args: argparse.Namespace) -> int:
    if (args.alert_id is None) == (not args.all_failed):
        raise MonitorError("say which: monitor alerts resend ID, or monitor alerts resend --all-failed")
    now = datetime.now(UTC)
    with alerts_session(args, write=not args.dry_run, routes=True) as (config, session):
        zone = config.settings.general.timezone
        ids = None
        if args.alert_id is not None:
            ids = [lifecycle.get_alert(session, args.alert_id).id]  # an unknown alert is said
        by = actor(args, config)
        report = resend(
            session,
            config,
            now,
            actor=by,
            alert_ids=ids,
            since=since(args.since, zone, now),
            force=args.force,
            dry_run=args.dry_run,
        )
        if args.alert_id is not None and report.left and not report.requeued:
            raise MonitorError(f"alert #{args.alert_id}: nothing re-queued — {report.left[0][1]}")
        lines = _lines(report, zone, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(_data(report, zone), ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines))
    return 0


def _lines(report: ResendReport, zone: str, *, dry_run: bool) -> list[str]:
    verb = "would send again" if dry_run else "re-queued"
    lines = []
    for m in report.requeued:
        zh, en = channel_name(m.channel)
        kind = f" ({m.kind})" if m.kind != "alert" else ""
        lines.append(
            f"#{m.alert_id:<4} {zh} {en} → {m.recipient}{kind}: given up {local(m.given_up_at, zone)} after "
            f"{m.attempts} {'try' if m.attempts == 1 else 'tries'} — {clean_text(m.error())}"
        )
    n = len(report.requeued)
    head = f"{verb}: {n} {'message' if n == 1 else 'messages'}"
    if n and not dry_run:
        head += f" — the running monitor sends {'it' if n == 1 else 'them'} on its next outbox run"
    if not n and not report.left:
        head = "nothing to send again: no message was given up"
    lines.insert(0, head)
    lines += [f"#{alert_id:<4} left as it is: {why}" for alert_id, why in report.left]
    if report.dropped_notices:
        lines.append(
            f"{report.dropped_notices} notice(s) of messages given up "
            f"{'would be' if dry_run else 'were'} dropped: the messages they told of go again instead"
        )
    return lines


def _data(report: ResendReport, zone: str) -> dict[str, object]:
    return {
        "requeued": [
            {
                "delivery_id": m.delivery_id,
                "alert_id": m.alert_id,
                "channel": m.channel,
                "recipient": m.recipient,
                "kind": m.kind,
                "attempts": m.attempts,
                "given_up_at": local(m.given_up_at, zone),
                "last_error": m.error(),
                "retargeted": m.retargeted,
            }
            for m in report.requeued
        ],
        "left": [{"alert_id": alert_id, "why": why} for alert_id, why in report.left],
        "dropped_notices": report.dropped_notices,
    }
