"""``monitor web``: serve the alert pages and the dashboard; ``signin-link``: a sign-in link;
``signout``: end someone's dashboard sessions on every device."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from monitor.config.loader import MonitorConfig, load_config
from monitor.errors import MonitorError, UnknownNameError
from monitor.log_format import use_zone
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
    use_zone(config.settings.general.timezone)
    host = args.host or config.settings.web.listen_host
    port = args.port or config.settings.web.listen_port
    try:
        sock = listening_socket(host, port)  # before anything says it listens
    except CannotListen as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with sock:
        engine = make_engine(config.settings.database_url())
        ensure_schema(engine, config.settings.database.auto_migrate)
        app = create_app(config, session_factory(engine))
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address, as a URL writes it
        print(
            f"monitor web: listening on http://{shown}:{port}; its pages' address in messages is "
            f"{config.settings.web.base_url} (Ctrl-C stops)",
            flush=True,
        )
        # No access log: a link's token is a credential and must not land in log files.
        server = uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=port, access_log=False, log_level="warning", server_header=False
            )
        )
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # Ctrl-C: uvicorn shut down, then raised it again (as uvicorn.run does)
            pass
        finally:
            engine.dispose()
    if not server.started:
        print("error: monitor web stopped before it started serving (see above)", file=sys.stderr)
        return 1
    return 0


class CannotListen(MonitorError):
    """``monitor web`` cannot listen where it is told to: the port is taken, the address is not
    this machine's, or the port needs privileges."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` as uvicorn would bind it (IPv6 when the host has a colon),
    or :class:`CannotListen` saying why not and which setting to change."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait for TIME_WAIT
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotListen(_why_not(host, port, exc)) from None
    sock.set_inheritable(True)
    return sock


def _why_not(host: str, port: int, exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: {exc.strerror}; set [web] listen_host (or --host)"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use (another monitor web?); set [web] listen_port (or --port) "
            "or stop it"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; set [web] listen_host (or --host)"
    if exc.errno == errno.EACCES:
        return f"port {port} on {host} needs privileges (below 1024); set [web] listen_port (or --port)"
    return f"cannot listen on port {port} of {host}: {exc.strerror}"


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
        f"Signs in {name} once, within {_minutes(config.settings.web.signin_link_minutes)}, "
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
    if "@" in who:  # a spokesperson by their email (as the sign-in form takes it), else a viewer
        address = who.strip().lower()
        for person in config.routing.spokespeople:
            if person.email.strip().lower() == address:
                return person.key, person.name
        member = find_member(config, VIEWER + address)
        if member is None:
            raise UnknownNameError(
                f"{who!r} is no spokesperson's email (routing.yaml) and not among web.viewers (monitor.toml)"
            )
        return member.key, member.name
    person = config.spokesperson(who)  # UnknownNameError names the key if it is not defined
    return person.key, person.name


def _minutes(value: float) -> str:
    """``15 minutes``, ``1 minute``, ``1.5 minutes``."""
    return f"{value:g} minute{'' if value == 1 else 's'}"
