"""Shared fixtures: a clean environment for every test, and one database per backend.

The ``db_url`` fixture runs each storage test on SQLite and on PostgreSQL. PostgreSQL
tests skip with the reason when no server answers, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from forum_fixtures import DEMO_CONFIG, FixtureForum, handler_for
from loopback_server import LoopbackServer

POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MONITOR_") and name != "MONITOR_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _monitor_log_level() -> Iterator[None]:
    """``monitor.cli.main`` sets the ``monitor`` logger's level for the command it runs (WARNING for
    the demo); put it back, so a later test's caplog sees the INFO lines it asserts on."""
    logger = logging.getLogger("monitor")
    level = logger.level
    yield
    logger.setLevel(level)


def _postgres_or_skip() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        reason = f"psycopg not installed ({exc}); pip install -e '.[postgres]'"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def postgres_server_url() -> str:
    """The test PostgreSQL server's URL (its ``test`` database), once it answers; skips with the
    reason otherwise (fails in CI). For tests that make databases of their own on it."""
    _postgres_or_skip()
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


# --- a loopback forum serving the captured Discuz! pages (see forum_fixtures.py) ---------------


@pytest.fixture
def fixture_forum() -> Iterator[FixtureForum]:
    forum = FixtureForum(url="")
    with LoopbackServer(handler_for(forum)) as server:
        forum.url = server.url
        yield forum


@pytest.fixture
def fixture_config(tmp_path: Path, fixture_forum: FixtureForum) -> Path:
    """A config directory watching board fid=2 of the fixture forum; SMTP off, data in tmp_path."""
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "sources.yaml").write_text(
        "sources:\n  - key: fixture-bbs\n    name: Discuz fixture\n    engine: discuz\n"
        f'    base_url: {fixture_forum.url}\n    boards: ["2"]\n    pages_per_board: 2\n',
        encoding="utf-8",
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[fetch]\nper_host_delay_seconds = 0.0\nretries = 0\n'
        "[smtp]\nenabled = false\n",
        encoding="utf-8",
    )
    return directory
