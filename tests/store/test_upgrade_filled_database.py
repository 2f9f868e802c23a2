"""An upgrade of a database an older release really filled: ``fixtures/upgrade/release-415e845.sql.gz``
is the SQLite dump of release 415e845 (schema 0007) after its own pipeline played the demo scenario
(30 threads, 162 posts, 693 snapshots, alert #1 escalated to 非常紧迫 with 14 deliveries sent, a sent
digest), then alert #1 acknowledged, two steps ticked, the complainant contacted and a note written
with that release's commands. ``monitor db upgrade`` migrates it to the newest schema losing no row,
says where from, and a second run says it did nothing."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.cli import main
from monitor.store.db import head_revision

DUMP = Path(__file__).parent.parent / "fixtures" / "upgrade" / "release-415e845.sql.gz"


def _counts(path: Path) -> dict[str, int]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        counts = {n: connection.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}
    engine.dispose()
    return counts


def test_db_upgrade_keeps_every_row_of_a_filled_release_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "monitor.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(gzip.decompress(DUMP.read_bytes()).decode())
    config_dir = tmp_path / "config"
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), config_dir)
    with (config_dir / "monitor.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[database]\nurl = "sqlite:///{database.as_posix()}"\n')
    before = _counts(database)
    assert before["posts"] == 162 and before["deliveries"] == 14 and before["digests"] == 1

    assert main(["db", "upgrade", "--config", str(config_dir)]) == 0
    assert capsys.readouterr().out == f"database at revision {head_revision()} (migrated from 0007)\n"
    after = _counts(database)
    assert {name: after[name] for name in before if name != "alembic_version"} == {
        name: count for name, count in before.items() if name != "alembic_version"
    }
    assert main(["db", "upgrade", "--config", str(config_dir)]) == 0
    assert capsys.readouterr().out == f"database at revision {head_revision()} (already; nothing to do)\n"
    assert _counts(database) == after

    assert main(["alerts", "show", "1", "--config", str(config_dir)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Alert #1 [非常紧迫 very urgent] acknowledged — 途乐旅行收了我2万8团费")
    assert "lawyer (律师/诉讼) first at floor 21" in shown
    assert "contacted     li_na" in shown
    assert "note          li_na      已与投诉人电话沟通，承诺 <b>3</b> 个工作日内退款 & 跟进" in shown
