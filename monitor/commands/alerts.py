"""``monitor alerts list|show|ack|contacted|tick|note|handover|resolve|link|resend``: alerts, from a
terminal (``show``: :mod:`monitor.commands.alerts_show`; ``resend``:
:mod:`monitor.commands.alerts_resend`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from monitor.alerting import lifecycle
from monitor.alerting.compose import link_signer
from monitor.alerting.render import clean_text
from monitor.commands import alerts_resend, alerts_show
from monitor.commands.alert_actions import local, perform
from monitor.commands.alerts_session import alerts_session, summary
from monitor.detect.severity import Severity
from monitor.errors import MonitorError, UnknownNameError
from monitor.store.models import Alert


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    alerts = commands.add_parser("alerts", help="list, show, acknowledge, hand over and resolve alerts")
    tasks = alerts.add_subparsers(dest="alerts_command", required=True, metavar="TASK")

    def task(name: str, help: str, *, with_id: bool = True, actor: bool = False) -> argparse.ArgumentParser:
        parser = tasks.add_parser(name, help=help)
        if with_id:
            parser.add_argument("alert_id", type=int, metavar="ID")
        if actor:
            parser.add_argument("--by", default=None, help="who does it (default: your login name)")
        parser.add_argument(
            "--config",
            type=Path,
            default=None,
            help="config directory (default $MONITOR_CONFIG, else ./config)",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        return parser

    listing = task("list", "alerts, newest first", with_id=False)
    listing.add_argument(
        "--status",
        choices=["unresolved", "open", "acknowledged", "resolved", "all"],
        default="unresolved",
        help="unresolved: open or acknowledged (default); open: not acknowledged yet (the status column)",
    )
    listing.add_argument(
        "--limit", type=int, default=100, help="at most this many, the newest (default 100; 0: every one)"
    )
    listing.set_defaults(handler=_list)
    task("show", "one alert: figures, checklist, first-hour timeline, event trail").set_defaults(
        handler=alerts_show.show
    )
    task(
        "ack", "acknowledge: it is in hand and the escalation stops (the owner stays the owner)", actor=True
    ).set_defaults(handler=_ack)
    task("contacted", "the complainant has been contacted (first-contact SLA)", actor=True).set_defaults(
        handler=_contacted
    )
    ticking = task("tick", "mark a checklist step done", actor=True)
    ticking.add_argument("step", help="step number (as listed by show), step id, or the start of its title")
    ticking.set_defaults(handler=_tick)
    linking = task("link", "print a fresh signed link to the alert's web page (needs web.base_url)")
    linking.add_argument("--to", default=None, help="spokesperson key the link acts for (default: the owner)")
    linking.add_argument("--action", choices=["view", "ack", "contacted"], default="view")
    linking.set_defaults(handler=_link)
    noting = task("note", "add a progress note to the trail (restarts the progress-prompt clock)", actor=True)
    noting.add_argument("text", help="what the customer was told, or what was done")
    noting.set_defaults(handler=_note)
    handing = task("handover", "hand the alert to another spokesperson, who is told", actor=True)
    handing.add_argument("--to", required=True, metavar="KEY", help="the new spokesperson (routing.yaml key)")
    handing.add_argument("--note", default="", help="why (kept in the trail, told to them)")
    handing.set_defaults(handler=_handover)
    resolving = task("resolve", "close the alert, saying how it was resolved", actor=True)
    resolving.add_argument(
        "--note", default="", help="how it was resolved: the complaint summary (投诉总结); required"
    )
    resolving.set_defaults(handler=_resolve)
    alerts_resend.add_parser(tasks)


def _list(args: argparse.Namespace) -> int:
    with alerts_session(args, write=False) as (config, session):
        query = select(Alert).order_by(Alert.id.desc())
        if args.status == "unresolved":
            query = query.where(Alert.status.in_(("open", "acknowledged")))
        elif args.status != "all":
            query = query.where(Alert.status == args.status)
        if args.limit < 0:
            raise MonitorError("--limit must be 0 (every alert) or more")
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        if args.limit:
            query = query.limit(args.limit)
        zone = config.settings.general.timezone
        now = datetime.now(UTC)
        rows = [
            summary(alert, zone)
            | {
                "overdue": alert.status != "resolved"
                and alert.contacted_at is None
                and now > alert.respond_by
            }
            for alert in session.scalars(query)
        ]
    more = f"the newest {len(rows)} of {total}; --limit 0 lists every one" if total > len(rows) else ""
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        if more:  # stdout stays the JSON; a script is still told it is not every alert
            print(more, file=sys.stderr)
        return 0
    for row in rows:
        label = Severity(row["severity"]).label_zh
        due = (
            f"contacted  {row['contacted_local']}"
            if row["contacted_local"]
            else f"respond by {row['respond_by_local']}" + (" OVERDUE" if row["overdue"] else "")
        )
        print(
            f"#{row['id']:<4} {label:<4} {row['status']:<12} {due}  "
            f"{row['spokesperson']:<12} {clean_text(row['thread'])[:40]}"
        )
    if not rows:
        print("no alerts")
    elif more:
        print(more)
    return 0


def _act(args: argparse.Namespace, action: str) -> int:
    now = datetime.now(UTC)
    with alerts_session(args, write=True, routes=action == "handover") as (config, session):
        message = perform(args, action, config, session, now)
    print(json.dumps({"ok": True, "message": message}, ensure_ascii=False) if args.json else message)
    return 0


def _ack(args: argparse.Namespace) -> int:
    return _act(args, "ack")


def _contacted(args: argparse.Namespace) -> int:
    return _act(args, "contacted")


def _tick(args: argparse.Namespace) -> int:
    return _act(args, "tick")


def _note(args: argparse.Namespace) -> int:
    return _act(args, "note")


def _handover(args: argparse.Namespace) -> int:
    return _act(args, "handover")


def _resolve(args: argparse.Namespace) -> int:
    return _act(args, "resolve")


def _link(args: argparse.Namespace) -> int:
    with alerts_session(args, write=False, links=True, routes=True) as (config, session):
        alert = lifecycle.get_alert(session, args.alert_id)
        signer = link_signer(config)
        if signer is None:
            raise UnknownNameError(
                f"no web links: set web.base_url in monitor.toml and ${config.settings.web.secret_env}"
            )
        recipient = args.to or alert.spokesperson
        config.spokesperson(recipient)  # an unknown key is an error, not a link nobody can name
        now = datetime.now(UTC)
        url = signer.url(alert.id, args.action, recipient, now)
        expires = signer.expires_at(now)
        zone = config.settings.general.timezone
    if args.json:
        print(
            json.dumps(
                {"url": url, "for": recipient, "action": args.action, "expires_at": expires.isoformat()}
            )
        )
    else:
        print(url)
        print(f"  acts for {recipient}; valid until {local(expires, zone)} ({zone})")
    return 0
