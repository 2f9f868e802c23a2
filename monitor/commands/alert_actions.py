"""Acting on an alert from a terminal (``monitor alerts ack|contacted|tick|note|handover|resolve``):
who acts, whom an alert is handed to, and what the user is told."""

from __future__ import annotations

import argparse
import difflib
import getpass
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from monitor.alerting import lifecycle
from monitor.config.loader import MonitorConfig
from monitor.errors import MonitorError, UnknownNameError
from monitor.store.models import Alert


def _near_miss(option: str, given: str, config: MonitorConfig) -> None:
    """Refuse ``given`` when it is nearly, but not, a spokesperson's key: a typo."""
    keys = [person.key for person in config.routing.spokespeople]
    near = difflib.get_close_matches(given, keys, n=1, cutoff=0.7)
    if given not in keys and near:
        raise UnknownNameError(f"{option} {given!r} is not in routing.yaml; did you mean {near[0]!r}?")


def actor(args: argparse.Namespace, config: MonitorConfig) -> str:
    """Who acts: ``--by`` or the login name. A ``--by`` that is nearly a spokesperson's key is a typo,
    and is refused: an acknowledgement under a misspelt name would stop the escalation all the same."""
    if not args.by:
        return str(os.environ.get("USER") or getpass.getuser())
    by = str(args.by).strip()
    try:
        _near_miss("--by", by, config)
    except UnknownNameError as exc:
        raise UnknownNameError(
            f"{exc} (a name not close to a spokesperson's key, such as an ops colleague's, is taken as given)"
        ) from None
    return by


def _spokesperson(args: argparse.Namespace, config: MonitorConfig) -> str:
    """``--to``: a spokesperson's key, exactly (they are told, on their channels); a near miss is
    refused as for ``--by``, and any other name with the keys there are."""
    to = str(args.to).strip()
    _near_miss("--to", to, config)
    keys = [person.key for person in config.routing.spokespeople]
    if to not in keys:
        raise UnknownNameError(f"--to {to!r} is not a spokesperson in routing.yaml ({', '.join(keys)})")
    return to


def local(moment: datetime | None, zone: str) -> str | None:
    """A moment as the team reads it: ``2026-11-23 20:05`` in their time zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if moment else None


def _as_backup(alert: Alert, by: str, config: MonitorConfig) -> str:
    """After "acknowledged by X", for the owner's backup: the owner stays the owner."""
    if by != alert.backup or by == alert.spokesperson:
        return ""
    try:
        owner = config.spokesperson(alert.spokesperson).name
    except UnknownNameError:  # routing.yaml changed or did not load: the key says who
        owner = alert.spokesperson
    escalation = (  # as the page says (monitor/web/ack_wording.py)
        "leadership was told already: tell them you have it"
        if alert.ack_escalation >= 2
        else "the escalation to leadership stops"
    )
    return (
        f", as {owner}'s backup: you have it in hand, and {escalation}; {owner} stays its "
        f"spokesperson (to take it on yourself: monitor alerts handover {alert.id} --to {by})"
    )


def perform(
    args: argparse.Namespace, action: str, config: MonitorConfig, session: Session, now: datetime
) -> str:
    """Do ``action`` (ack, contacted, tick, note, handover, resolve) on ``args.alert_id`` as ``--by``;
    what to tell the user. A repeat (acknowledged, ticked, resolved before) says so and changes
    nothing; what the alert's state or the options do not allow is a :class:`MonitorError`."""
    by = actor(args, config)
    alert = lifecycle.held(session, args.alert_id)  # one action on an alert at a time
    if action in ("ack", "contacted", "tick") and alert.status == "resolved":  # as the web page refuses
        who, when = lifecycle.resolution(session, alert)
        at = local(when, config.settings.general.timezone)
        raise MonitorError(f"alert #{alert.id} was resolved by {who} at {at}; nothing was changed")
    if action == "ack":
        changed = lifecycle.acknowledge(session, alert, by, now)
        message = (
            f"alert #{alert.id} acknowledged by {by}{_as_backup(alert, by, config)}"
            if changed
            else (f"alert #{alert.id} was already acknowledged by {alert.acknowledged_by}")
        )
    elif action == "contacted":
        earlier = alert.contacted_at
        lifecycle.contacted(session, alert, by, now)
        late = " (after the deadline)" if alert.contacted_at and alert.contacted_at > alert.respond_by else ""
        message = (
            f"alert #{alert.id}: first contact recorded{late}"
            if earlier is None
            else f"alert #{alert.id}: first contact was already recorded at "
            f"{local(earlier, config.settings.general.timezone)}"
        )
    elif action == "tick":
        done_before = {item.id for item in alert.checklist if item.done_at is not None}
        item = lifecycle.tick(session, alert, args.step, by, now)
        message = (
            f"alert #{alert.id}: done — {item.title}"
            if item.id not in done_before
            else f"alert #{alert.id}: already done by {item.done_by} at "
            f"{local(item.done_at, config.settings.general.timezone)} — {item.title}"
        )
    elif action == "note":
        try:
            lifecycle.note(session, alert, by, now, args.text)
        except ValueError as exc:
            raise MonitorError(str(exc)) from None
        message = f"alert #{alert.id}: note added by {by}"
    elif action == "handover":
        message = _hand_over(args, config, session, alert, by, now)
    else:
        message = _resolve_alert(args, config, session, alert, by, now)
    keys = {person.key for person in config.routing.spokespeople}
    if not args.by and by not in keys and by in message:  # the trail names a login, not a spokesperson
        message += f" ({by} is your login name; --by KEY acts as a spokesperson in routing.yaml)"
    return message


def _hand_over(
    args: argparse.Namespace, config: MonitorConfig, session: Session, alert: Alert, by: str, now: datetime
) -> str:
    to = _spokesperson(args, config)
    previous = alert.spokesperson
    try:
        lifecycle.hand_over(session, config, alert, to, by, now, args.note)
    except ValueError as exc:
        raise MonitorError(str(exc)) from None
    person = config.spokesperson(to)
    backup = f"backup {alert.backup}" if alert.backup else "no backup"
    due = (
        "first contact already made"
        if alert.contacted_at
        else f"first contact still due {local(alert.respond_by, config.settings.general.timezone)}"
    )
    told = f"{person.name} is told ({backup}; {due})"
    return f"alert #{alert.id} handed over from {previous} to {to} by {by}: {told}"


def _resolve_alert(
    args: argparse.Namespace, config: MonitorConfig, session: Session, alert: Alert, by: str, now: datetime
) -> str:
    try:
        done = lifecycle.resolve(session, alert, by, now, args.note or "")
    except ValueError:
        raise MonitorError(
            f"alert #{alert.id} not resolved: say how it was resolved with --note TEXT "
            "(the complaint summary, 投诉总结, kept in the trail)"
        ) from None
    if done:
        return f"alert #{alert.id} resolved by {by}"
    who, when = lifecycle.resolution(session, alert)
    return (
        f"alert #{alert.id} was already resolved by {who} at {local(when, config.settings.general.timezone)}"
    )
