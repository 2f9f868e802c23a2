"""``monitor route test``: where a sample alert would go, and why — without starting anything."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.alerting.route_tree import AlertFacts
from monitor.alerting.routing import route, route_groups
from monitor.config.loader import load_config
from monitor.detect.severity import Severity
from monitor.errors import UnknownNameError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parent = commands.add_parser("route", help="try the routing tree")
    tasks = parent.add_subparsers(dest="route_command", required=True, metavar="TASK")
    test = tasks.add_parser("test", help="show where a sample alert would go and why")
    test.add_argument(
        "--watch-group",
        required=True,
        action="append",
        help="the thread's watch group; repeat it for a thread naming several (route order decides)",
    )
    test.add_argument("--category", default=None, help="complaint category (default: each watch group's own)")
    test.add_argument("--severity", choices=[s.value for s in Severity], default="general")
    test.add_argument("--source", default="", help="source key")
    test.add_argument("--board", default="", help="board id")
    test.add_argument("--signal", action="append", default=[], help="crisis signal seen (repeatable)")
    test.add_argument("--at", default=None, help="local time to test on-call hours, e.g. '2026-11-23 23:30'")
    test.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    test.set_defaults(handler=_test)


def _test(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ, links=False, sends=False)
    zone = config.settings.general.timezone
    groups = {g.name: g for g in config.watch_groups}
    for name in args.watch_group:
        if name not in groups:
            raise UnknownNameError(
                f"no watch group {name!r} in watch_groups.yaml; the groups: {', '.join(groups)}"
            )
    from monitor.enrich.category import CATEGORIES
    from monitor.enrich.signals import SIGNAL_LABELS

    categories = [args.category] if args.category else []
    for kind, given, known in (
        ("crisis signal", args.signal, SIGNAL_LABELS),
        ("category", categories, CATEGORIES),
    ):
        for name in given:
            if name not in known:  # a typo would show a route not taken, as if the tree were wrong
                raise UnknownNameError(f"no {kind} {name!r}; the known ones: {', '.join(known)}")
    every = [
        AlertFacts(
            watch_group=name,
            category=args.category or groups[name].category,
            severity=Severity(args.severity),
            source=args.source,
            board=args.board,
            signals=tuple(args.signal),
        )
        for name in dict.fromkeys(args.watch_group)
    ]
    at = (
        datetime.fromisoformat(args.at).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        if args.at
        else datetime.now(UTC)
    )
    routed = route_groups(config.routing, every)
    facts = next(one for one in every if one.watch_group == routed.watch_group)
    print(
        f"alert: watch group {facts.watch_group}, category {facts.category}, severity {facts.severity.value}"
    )
    for other in (one for one in every if one is not facts):
        # a group whose way takes no route ends at the root's receiver, who is not told for it
        own_route = len(route(config.routing, other).decision.path) > 1
        told = "its route's people are told as well" if own_route else "it has no route: nobody more is told"
        print(
            f"  (the thread names {other.watch_group} too; the route taken for {facts.watch_group} comes "
            f"first in the tree, so it owns the alert; {told})"
        )
    for number, why in routed.decision.path:
        print(f"  {'root' if number == 0 else f'route {number}'}: {why}")
    backup = routed.backup.name if routed.backup else "(none)"
    print(f"owner: {routed.spokesperson.key} — {routed.spokesperson.name} (backup: {backup})")
    for person in [routed.spokesperson, *routed.also]:
        channels = ["email " + person.email] + [t.masked for t in config.chat_targets.get(person.key, [])]
        on_call = person.on_call is None or person.on_call.covers(at, zone)
        when = "now" if on_call or facts.severity is Severity.VERY_URGENT else "held until on-call hours"
        role = "owns it" if person is routed.spokesperson else "told as well"
        print(f"  {person.key} ({role}): {', '.join(channels)}; delivered {when}")
    return 0
