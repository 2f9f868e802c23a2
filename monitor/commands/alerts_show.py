"""``monitor alerts show ID``: one alert from a terminal — figures, checklist, first-hour timeline, the
messages not getting through, and the trail."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.alerting.render import clean_text, severity_label, shorten
from monitor.alerting.trail import readable_trail
from monitor.alerting.undelivered import undelivered
from monitor.commands.alert_actions import local
from monitor.commands.alerts_session import alerts_session, summary
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.store.models import Alert


def show(args: argparse.Namespace) -> int:
    with alerts_session(args, write=False) as (config, session):
        alert = lifecycle.get_alert(session, args.alert_id)
        zone = config.settings.general.timezone
        hour = lifecycle.first_hour(session, alert)
        data = summary(alert, zone) | {
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
