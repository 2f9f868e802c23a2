"""``config_dir`` (a copy of the demo configuration, its data in the test's folder), ``config`` and
``session`` (a SQLite file, migrated) for the alert lifecycle tests. A module that defines its own
fixture of the same name uses its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.config.loader import MonitorConfig, load_config
from monitor.store.db import ensure_schema, make_engine, session_factory

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n', encoding="utf-8"
    )
    return directory


@pytest.fixture
def config(config_dir: Path) -> MonitorConfig:
    return load_config(config_dir, environ={})


@pytest.fixture
def session(config: MonitorConfig) -> Session:
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)()
