"""``monitor alerts list|show|ack|contacted|tick|note|handover|resolve|link|resend``: alerts, from a
terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.compose import link_signer
from monitor.alerting.render import clean_text, severity_label, shorten
from monitor.alerting.trail import readable_trail
from monitor.alerting.undelivered import undelivered
from monitor.commands import alerts_resend
from monitor.commands.alert_actions import local, perform
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.errors import MonitorError, UnknownNameError
from monitor.store.db import ensure_schema, make_engine, session_factory
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
        handler=_show
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


@contextmanager
def _session(
    args: argparse.Namespace, write: bool, *, links: bool = False, routes: bool = False
) -> Iterator[tuple[MonitorConfig, Session]]:
    """The config and a database session; the link-signing key is needed only with ``links``. These
    commands send nothing (the SMTP password is not needed) and read no watch group: a broken
    watch_groups.yaml must not keep anyone from acknowledging an alert. Nor a broken routing.yaml,
    but for those that reach a spokesperson (``routes``: a handover, a link made for one)."""
    config = load_config(
        args.config,
        environ=os.environ,
        links=links,
        sends=False,
        without_watch_groups=True,
        without_routing=not routes,
    )
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    sessions = session_factory(engine)
    try:
        with sessions.begin() if write else sessions() as session:
            yield config, session
    finally:
        engine.dispose()


def _summary(alert: Alert, zone: str) -> dict[str, Any]:
    return {
        "id": alert.id,
        "severity": alert.severity,
        "status": alert.status,
        "thread": alert.thread.title,
        "url": alert.thread.url,
        "board": alert.thread.board.name,
        "watch_group": alert.watch_group,
        "spokesperson": alert.spokesperson,
        "backup": alert.backup,
        "opened_at": alert.opened_at.isoformat(),
        "respond_by": alert.respond_by.isoformat(),
        "acknowledged_by": alert.acknowledged_by,
        "opened_local": local(alert.opened_at, zone),
        "respond_by_local": local(alert.respond_by, zone),
        "contacted_at": alert.contacted_at.isoformat() if alert.contacted_at else None,
        "contacted_local": local(alert.contacted_at, zone),
    }


def _list(args: argparse.Namespace) -> int:
    with _session(args, write=False) as (config, session):
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
            _summary(alert, zone)
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


def _show(args: argparse.Namespace) -> int:
    with _session(args, write=False) as (config, session):
        alert = lifecycle.get_alert(session, args.alert_id)
        zone = config.settings.general.timezone
        hour = lifecycle.first_hour(session, alert)
        data = _summary(alert, zone) | {
            "figures": list(alert.figures),
            "figures_as_of": local(alert.updated_at, zone),  # the poll that wrote them, not now
            "signals": list(alert.signals),
            "also_on": list(alert.also_on),
            "checklist": [
                {
                    "step": i,
                    "id": item.step_id,
                    "title": item.title,
                    "due_at": local(item.due_at, zone),
                    "done_at": local(item.done_at, zone),
                    "done_by": item.done_by,
                }
                for i, item in lifecycle.steps_in_due_order(alert)
            ],
            "first_hour": {k: local(v, zone) for k, v in vars(hour).items()},
            "events": [
                {"at": local(e.at, zone), "kind": e.kind, "actor": e.actor, "detail": e.detail}
                for e in alert.events
            ],
        }
        data["retrying"], data["given_up"] = _retrying(session, alert, zone)
        trail = [
            (local(line.at, zone), local(line.until, zone), line) for line in readable_trail(alert.events)
        ]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    title = shorten(clean_text(data["thread"]))
    tier = severity_label(Severity(data["severity"]))
    print(f"Alert #{data['id']} [{tier}] {data['status']} — {title}")
    backup = f"backup {data['backup']}" if data["backup"] else "no backup"
    print(
        f"  {clean_text(data['url'])}\n  spokesperson {data['spokesperson']} ({backup}); "
        + (
            f"contacted {data['contacted_local']} ({zone})"
            if data["contacted_local"]
            else f"respond by {data['respond_by_local']} ({zone})"
        )
    )
    print(f"  why it fired, as of the last poll ({data['figures_as_of']}):")
    for figure in data["figures"] + data["signals"]:
        print(f"  - {clean_text(figure)}")
    print(
        "  first hour: "
        + " → ".join(f"{k.replace('_', ' ')} {v or '—'}" for k, v in data["first_hour"].items())
    )
    print("  checklist:")
    for item in data["checklist"]:
        mark = "x" if item["done_at"] else " "
        who = f"  ({item['done_by']} {item['done_at']})" if item["done_at"] else ""
        print(f"   {item['step']:>2}. [{mark}] {item['due_at']}  {clean_text(item['title'])}{who}")
    if data["retrying"]:  # the trail says a message only once it is sent, dropped or given up
        print("  not delivered yet, being retried:")
        for waiting in data["retrying"]:
            print(
                f"    {waiting['message']}: {counted(waiting['attempts'], 'try', 'tries')} since "
                f"{waiting['queued_at']}, "
                f"next at {waiting['next_attempt_at'] or '—'} — {clean_text(waiting['last_error'][:300])}"
            )
    if data["given_up"]:  # reached nobody on another channel either
        print("  not delivered, given up:")
        for lost in data["given_up"]:
            print(
                f"    {lost['message']}: {counted(lost['attempts'], 'try', 'tries')} from "
                f"{lost['queued_at']}, given up at {lost['given_up_at']} — "
                f"{clean_text(lost['last_error'][:300])}"
            )
    print("  trail:")
    for at, until, line in trail:
        if until is not None:  # the monitor's own long run, summed up (--json lists each event)
            print(
                f"    {at} … {until}: {line.events} lines by the monitor — {clean_text(line.detail)} "
                "(--json lists each)"
            )
        else:
            print(f"    {at} {line.kind:<13} {line.actor:<10} {clean_text(line.detail)}")
    return 0


def _retrying(session: Session, alert: Alert, zone: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The alert's messages a channel refused so far and the outbox tries again (a chat service
    answering an error, a mail server down), and those it gave up on that reached nobody another way
    (:mod:`monitor.alerting.undelivered`): who, how often, the last error. A chat target is named by
    its channel, never its URL (it holds a token; the error is masked by its channel)."""
    retrying: list[dict[str, Any]] = []
    given_up: list[dict[str, Any]] = []
    for d in undelivered(session, alert_ids=(alert.id,)):
        row = {
            "message": f"{d.channel} to {d.recipient}" + (f" ({d.kind})" if d.kind != "alert" else ""),
            "attempts": d.attempts,
            "queued_at": local(d.queued_at, zone),
            "last_error": d.last_error,
        }
        if d.given_up:
            given_up.append(row | {"given_up_at": local(d.given_up_at, zone)})
        else:
            retrying.append(row | {"next_attempt_at": local(d.next_attempt_at, zone)})
    return retrying, given_up


def _act(args: argparse.Namespace, action: str) -> int:
    now = datetime.now(UTC)
    with _session(args, write=True, routes=action == "handover") as (config, session):
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
    with _session(args, write=False, links=True, routes=True) as (config, session):
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
