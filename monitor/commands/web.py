"""``monitor web``: serve the alert pages behind the signed links in alert messages."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import uvicorn

from monitor.config.loader import load_config
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.web.app import create_app

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = commands.add_parser("web", help="serve the alert pages behind the signed links in messages")
    web.add_argument("--config", type=Path, default=None, help="config directory (default ./config)")
    web.add_argument("--host", default=None, help="listen address (default: web.listen_host)")
    web.add_argument("--port", type=int, default=None, help="listen port (default: web.listen_port)")
    web.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    config = load_config(args.config, environ=os.environ)
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    app = create_app(config, session_factory(engine))
    host = args.host or config.settings.web.listen_host
    port = args.port or config.settings.web.listen_port
    print(f"monitor web: serving {config.settings.web.base_url} on http://{host}:{port} (Ctrl-C stops)")
    # No access log: a link's token is a credential and must not land in log files.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
    engine.dispose()
    return 0
