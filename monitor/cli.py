"""Command line: one command per process role and per ops task. Bodies call services."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor import __version__
from monitor.errors import ConfigError, MonitorError
from monitor.log_format import DetailsFormatter, RepeatsEvery, use_zone

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitor.app import App
    from monitor.config.settings import Settings

log = logging.getLogger("monitor")

# Modules that add their own commands: each has ``add_parser(commands)`` registering a
# subcommand whose ``handler(args) -> int`` runs it (set with ``parser.set_defaults``).
COMMAND_MODULES: tuple[str, ...] = (
    "monitor.commands.sources",
    "monitor.commands.watch",
    "monitor.commands.alerts",
    "monitor.commands.digest",
    "monitor.commands.route",
    "monitor.commands.eval_sentiment",
    "monitor.commands.eval_detect",
    "monitor.commands.web",
    "monitor.commands.worker",
    "monitor.commands.init",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor", description="BBS crisis early-warning monitor for PR teams."
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="the version, and the database schema it migrates to"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--config",
            type=Path,
            default=None,
            help="config directory (or its monitor.toml); default $MONITOR_CONFIG, else ./config",
        )
        return sub

    demo = commands.add_parser(
        "demo", help="run the whole pipeline against a local demo forum (no network beyond loopback)"
    )
    demo.add_argument(
        "--output",
        type=Path,
        default=Path("demo-output"),
        help="where the demo database and received mail go",
    )
    demo.add_argument(
        "--step-minutes", type=int, default=15, help="scenario minutes between two crawl passes"
    )
    demo.add_argument(
        "--serve",
        nargs="?",
        const=8080,
        type=int,
        default=None,
        metavar="PORT",
        help="put signed action links in the messages, then serve the alert pages on 127.0.0.1:PORT "
        "(default 8080) until Ctrl-C",
    )
    demo.add_argument(
        "--forum-only",
        nargs="?",
        const=8081,
        type=int,
        default=None,
        metavar="PORT",
        help="only serve the demo forum on 127.0.0.1:PORT (default 8081), its last 6 h of posts ending "
        "now, to try `monitor sources add`, `crawl` and `run` on it as on a real forum",
    )
    with_config(commands.add_parser("run", help="run the recurring jobs (crawl, deliveries) until stopped"))
    crawl = with_config(commands.add_parser("crawl", help="crawl every source once and deliver alerts"))
    crawl.add_argument("--once", action="store_true", required=True, help="a single pass, then exit")
    with_config(
        commands.add_parser("check-config", help="validate every config file without starting anything")
    )
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    with_config(db_commands.add_parser("upgrade", help="apply schema migrations up to the newest"))
    prune = with_config(
        db_commands.add_parser("prune", help="delete rows older than the [retention] ages, in small batches")
    )
    prune.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    prune.add_argument(
        "--vacuum",
        action="store_true",
        help="then give the freed space back (SQLite: VACUUM rewrites the file, locking it meanwhile)",
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(commands)
    return parser


class _Version(argparse.Action):
    """``monitor 0.1.0 (database schema 0019)``: the schema tells two builds of one version apart,
    and says which migrations an upgrade will run (read only when asked: it loads the migrations)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from monitor.store.db import head_revision

        print(f"monitor {__version__} (database schema {head_revision()})")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose, quiet=args.command in ("demo", "check-config"))
    try:
        return _dispatch(args)
    except ConfigError as exc:
        print("configuration errors:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`monitor alerts show 1 | head`): no traceback, and none at exit
        # either, when Python flushes stdout into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        if not exc.filename:  # not a file's problem (a network error is a bug's to say here)
            raise
        print(f"error: {_file_problem(exc)}", file=sys.stderr)
        return 1


def _file_problem(exc: OSError) -> str:
    """A file the command could not read or write, as ops would say it: a read-only config folder
    (mounted ``:ro``), a data directory that is a file, a full disk."""
    where = exc.filename
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return f"{where}: is a file where a folder is needed (check general.data_dir and --config)"
    if isinstance(exc, PermissionError):
        return f"{where}: not allowed ({exc.strerror}); check the file's and its folder's permissions"
    return f"{where}: {exc.strerror or exc}"


async def _crawl_once(app: App) -> int:
    """One pass and the sending of what it queued; SIGTERM or Ctrl-C (a cron job's timeout, a
    systemd stop) end it between two writes, say so, and exit 143."""
    from monitor.digest.wording import counted

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    stopped: list[str] = []

    def stop(name: str) -> None:
        stopped.append(name)
        if task is not None:
            task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop, signum.name)
    try:
        async with app.pipeline() as pipeline:
            report = await pipeline.crawl_pass(datetime.now(UTC))
    except asyncio.CancelledError:
        if not stopped:
            raise
        print(
            f"crawl stopped by {stopped[0]} before the pass ended: what was read is kept; the messages it "
            "queued go at the next run",
            file=sys.stderr,
        )
        return 143
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    outbox = app.deliver(datetime.now(UTC))
    not_sent = f", {outbox.failed} not sent (see the log)" if outbox.failed else ""
    print(
        f"{counted(report.pages_fetched, 'page', 'pages')} read, {report.pages_failed} could not be read; "
        f"{counted(report.threads_seen, 'thread', 'threads')}, "
        f"{counted(report.posts_new, 'new post', 'new posts')}, "
        f"{counted(len(report.alert_changes), 'alert change', 'alert changes')}; "
        f"{counted(outbox.sent, 'delivery', 'deliveries')} sent (console copies included){not_sent}, "
        f"{outbox.pending} queued"
    )
    return 0 if report.pages_failed == 0 else 1


def _prune(settings: Settings, engine: Engine, *, dry_run: bool, vacuum: bool) -> int:
    """`monitor db prune`: what went (or would go) per table; then, asked to, the space back."""
    from monitor.store import retention
    from monitor.store.db import ensure_schema, session_factory
    from monitor.store.vacuum import vacuum as vacuum_database

    try:
        ensure_schema(engine, auto_migrate=settings.database.auto_migrate and not dry_run)
        with session_factory(engine)() as session:
            report = retention.prune(session, settings, datetime.now(UTC), dry_run=dry_run)
        print("\n".join(retention.describe(report)))
        if vacuum and dry_run:
            print("not vacuumed: dry run")
        elif vacuum:
            print(vacuum_database(engine).describe())
    finally:
        engine.dispose()
    return 0


def _configure_logging(verbose: bool, quiet: bool) -> None:
    """Libraries log at WARNING; the monitor at INFO (WARNING for the demo, which narrates itself)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(DetailsFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # a worker while Redis is away: Dramatiq's consumer says so twice every 3 s; once per 5 min here
    handler.addFilter(
        RepeatsEvery("dramatiq.worker.ConsumerThread", "Consumer encountered a connection error")
    )
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])
    if not verbose:
        logging.getLogger("monitor").setLevel(logging.WARNING if quiet else logging.INFO)


def _dispatch(args: argparse.Namespace) -> int:
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args))
    if args.command == "demo" and args.forum_only is not None:
        from monitor.demo.forum_only import serve_forum

        return serve_forum(args.forum_only, sys.stdout)
    if args.command == "demo":
        from monitor.demo.runner import run_demo

        return run_demo(args.output, step_minutes=args.step_minutes, stream=sys.stdout, serve_port=args.serve)

    from monitor.alerting.route_tree import numbered
    from monitor.config.loader import load_config
    from monitor.detect.velocity import counted

    # `db` sends nothing; check-config reports a missing link-signing key, run and crawl need it.
    db = args.command == "db"
    config = load_config(args.config, environ=os.environ, links=not db, sends=not db)
    use_zone(config.settings.general.timezone)
    if args.command == "check-config":
        from monitor.config.local_files import local_file_problems, placeholder_sources

        problems = local_file_problems(config.settings, config.directory / "monitor.toml", os.environ)
        if problems:
            raise ConfigError(problems)
        for warning in placeholder_sources(config.sources):
            print(f"warning: {warning}", file=sys.stderr)
        from monitor.store.db import schema_warning

        settings = config.settings
        database = schema_warning(settings.database_url(), settings.database.auto_migrate)
        if database is not None:
            print(f"warning: {database}", file=sys.stderr)
        print(
            f"{config.directory}: OK — {counted(len(config.sources), 'source', 'sources')}, "
            f"{counted(len(config.watch_groups), 'watch group', 'watch groups')}, "
            f"{counted(len(config.routing.spokespeople), 'spokesperson', 'spokespeople')}, "
            f"{counted(len(numbered(config.routing.route)) - 1, 'route', 'routes')}, "
            f"{counted(len(config.playbooks), 'playbook', 'playbooks')}"
        )
        return 0
    if args.command == "db":
        from monitor.store.db import current_revision, make_engine, upgrade

        engine = make_engine(config.settings.database_url())
        if args.db_command == "prune":
            return _prune(config.settings, engine, dry_run=args.dry_run, vacuum=args.vacuum)
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
        if before is None or before == after:  # a second run says it did nothing
            print(f"database at revision {after}" + ("" if before is None else " (already; nothing to do)"))
        else:
            print(f"database at revision {after} (migrated from {before})")
        engine.dispose()
        return 0

    if args.command == "run" and config.settings.distributed.broker_url:
        from monitor.commands.worker import schedule

        return schedule(config)  # the jobs run in `monitor worker` processes

    from monitor.app import build
    from monitor.store.run_lock import run_lock

    app = build(config)
    try:
        with run_lock(app.engine, f"monitor {args.command}"):
            if args.command == "crawl":
                return asyncio.run(_crawl_once(app))
            if args.command == "run":
                from monitor.scheduling import run_until_stopped

                asyncio.run(run_until_stopped(app))
                return 0
    finally:
        app.close()
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
