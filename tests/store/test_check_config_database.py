"""``check-config`` says when ``monitor run`` would not start on its database as it is (a deployment
walkthrough: with ``auto_migrate = false`` the units' pre-start check passed after an upgrade, and
``run`` was what refused), on SQLite and PostgreSQL, without creating or changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from monitor.cli import main
from monitor.store.db import _alembic_config, current_revision, head_revision, make_engine, schema_warning
from monitor.store.db import upgrade as upgrade_to


def test_a_database_behind_with_auto_migrate_off_is_said_and_one_at_head_is_not(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine)
    assert schema_warning(db_url, auto_migrate=False) is None
    command.downgrade(_alembic_config(engine), "0017")
    engine.dispose()
    said = schema_warning(db_url, auto_migrate=False)
    assert said is not None
    assert f"is at revision 0017, not {head_revision()}: `monitor run` will refuse to start" in said
    assert schema_warning(db_url, auto_migrate=True) is None  # run migrates it itself
    engine = make_engine(db_url)
    assert current_revision(engine) == "0017"  # looked at, not migrated
    engine.dispose()


def test_a_database_that_does_not_open_is_said_and_a_sqlite_file_not_made_yet_is_left_alone(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "not-yet" / "monitor.db"
    assert schema_warning(f"sqlite:///{missing}", auto_migrate=False) is None
    assert not missing.parent.exists()  # nothing made
    said = schema_warning("postgresql+psycopg://monitor:secret@127.0.0.1:1/monitor", auto_migrate=True)
    assert said is not None and said.startswith("cannot open database postgresql+psycopg://monitor:***@")
    assert "secret" not in said


def test_check_config_warns_and_still_passes_the_files(
    fixture_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = fixture_config / "monitor.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "[database]\nauto_migrate = false\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    upgrade_to(engine, "0017")
    engine.dispose()
    assert main(["check-config", "--config", str(fixture_config)]) == 0
    captured = capsys.readouterr()
    assert "OK" in captured.out
    assert "warning: database sqlite:///" in captured.err and "`monitor db upgrade`" in captured.err
