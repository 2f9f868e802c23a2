"""``monitor web``: serve the alert pages and the dashboard; ``signin-link``: a sign-in link;
``signout``: end someone's dashboard sessions on every device."""

from __future__ import annotations

import argparse
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from monitor.config.loader import MonitorConfig, load_config
from monitor.errors import MonitorError, UnknownNameError
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.web.app import create_app
from monitor.web.members import VIEWER, find_member
from monitor.web.session import session_keys
from monitor.web.signin_store import SignInSessions

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = commands.add_parser(
        "web", help="serve the alert pages behind the signed links in messages, and the signed-in dashboard"
    )
    web.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    web.add_argument("--host", default=None, help="listen address (default: web.listen_host)")
    web.add_argument("--port", type=int, default=None, help="listen port (default: web.listen_port)")
    web.set_defaults(handler=_serve)
    tasks = web.add_subparsers(dest="web_task", metavar="[signin-link|signout]")
    link = tasks.add_parser(
        "signin-link", help="print a one-time link that signs a spokesperson in to the dashboard"
    )
    link.add_argument(
        "--to",
        required=True,
        metavar="KEY",
        help="a spokesperson's key in routing.yaml, or a viewer's address (web.viewers: reads only)",
    )
    link.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    link.set_defaults(handler=_signin_link)
    out = tasks.add_parser(
        "signout", help="end every dashboard session of a person, on every device (a lost phone)"
    )
    out.add_argument(
        "--who",
        required=True,
        metavar="KEY",
        help="a spokesperson's key in routing.yaml, or a viewer's address (web.viewers)",
    )
    out.add_argument(
        "--config", type=Path, default=None, help="config directory (default $MONITOR_CONFIG, else ./config)"
    )
    out.set_defaults(handler=_signout)


def _serve(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    app = create_app(config, session_factory(engine))
    host = args.host or config.settings.web.listen_host
    port = args.port or config.settings.web.listen_port
    print(
        f"monitor web: listening on http://{host}:{port}; its pages' address in messages is "
        f"{config.settings.web.base_url} (Ctrl-C stops)"
    )
    # No access log: a link's token is a credential and must not land in log files.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
    engine.dispose()
    return 0


def _signin_link(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ)
    keys = session_keys(config)
    if keys is None:
        raise MonitorError(
            "sign-in links need web.base_url in monitor.toml and a signing key in "
            f"${config.settings.web.secret_env}"
        )
    key, name = _member(config, args.to)
    print(keys.signin_url(key, datetime.now(UTC)))
    print(
        f"Signs in {name} once, within {config.settings.web.signin_link_minutes:g} minutes, "
        f"at the monitor web serving {config.settings.web.base_url}."
    )
    return 0


def _signout(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ)
    key, name = _member(config, args.who)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    ended = SignInSessions(session_factory(engine)).sign_out_everywhere(key, datetime.now(UTC))
    engine.dispose()
    print(
        f"Signed {name} out of the dashboard everywhere ({ended} session{'' if ended == 1 else 's'} ended): "
        "their next click asks them to sign in again."
    )
    return 0


def _member(config: MonitorConfig, who: str) -> tuple[str, str]:
    """The key and name of a spokesperson (by key) or a viewer (by address); a clear error if neither."""
    if "@" in who:  # a viewer (web.viewers) by address
        member = find_member(config, VIEWER + who.strip().lower())
        if member is None:
            raise UnknownNameError(f"{who!r} is not among web.viewers in monitor.toml")
        return member.key, member.name
    person = config.spokesperson(who)  # UnknownNameError names the key if it is not defined
    return person.key, person.name
