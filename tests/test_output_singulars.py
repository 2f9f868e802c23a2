"""One of a thing reads as one: "1 thread exported", "after 1 failure", "1 thread that does not
read as a complaint", "1 group". Stores into a SQLite file in tmp_path (fixture_config of
conftest for the CLI); digest figures are given inline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from monitor import health
from monitor.cli import main
from monitor.config.loader import load_config
from monitor.digest.said import Said
from monitor.digest.sentences import not_complaints
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import HealthEvent

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _store_one_thread(config_dir: Path) -> None:
    config = load_config(config_dir, environ={})
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        row = ThreadSummary("7", "标题", "作者", None, 0, 1, False, "http://127.0.0.1/t7")
        repo.upsert_thread(session, source, board, row, NOW)
        health.board_failed(
            session, source, board, "timed out", "http://127.0.0.1/", NOW, kind="fetch_failed"
        )
        health.board_succeeded(session, source, board, 1, 0, NOW + timedelta(minutes=3))
        recovered = session.scalars(select(HealthEvent).where(HealthEvent.kind == "recovered")).one()
        assert recovered.detail == "after 1 failure"
    engine.dispose()


def test_one_thread_exported_and_one_failure_recovered_from(
    fixture_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_one_thread(fixture_config)
    target = tmp_path / "threads.jsonl"
    assert main(["threads", "export", "--output", str(target), "--config", str(fixture_config)]) == 0
    assert capsys.readouterr().err == "1 thread exported\n"


@pytest.mark.parametrize(
    ("now", "before", "said"),
    [
        (
            1,
            0,
            (
                "未计入：1 个主题帖读来不像投诉（上周 0 个）",
                "Not counted: 1 thread that does not read as a complaint (0 last week)",
            ),
        ),
        (
            2,
            1,
            (
                "未计入：2 个主题帖读来不像投诉（上周 1 个）",
                "Not counted: 2 threads that do not read as complaints (1 last week)",
            ),
        ),
        (
            0,
            1,
            (
                "未计入：0 个主题帖读来不像投诉（上周 1 个）",
                "Not counted: 0 threads that do not read as complaints (1 last week)",
            ),
        ),
    ],
)
def test_threads_not_counted_as_complaints(now: int, before: int, said: tuple[str, str]) -> None:
    digest = SimpleNamespace(
        week=SimpleNamespace(not_complaints=now), previous=SimpleNamespace(not_complaints=before)
    )
    assert not_complaints(digest) == Said(*said)  # type: ignore[arg-type]


def test_one_minute_and_one_character(
    fixture_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = fixture_config / "monitor.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '[web]\nbase_url = "https://monitor.example.com"\nsignin_link_minutes = 1\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_WEB_SECRET", "x")
    assert main(["check-config", "--config", str(fixture_config)]) == 2
    assert "$MONITOR_WEB_SECRET is 1 character; a signing key needs at least 32" in capsys.readouterr().err
    monkeypatch.setenv("MONITOR_WEB_SECRET", "s" * 40)
    assert main(["web", "signin-link", "--to", "li_na", "--config", str(fixture_config)]) == 0
    assert "once, within 1 minute, at the monitor web serving https://monitor.example.com" in (
        capsys.readouterr().out
    )


def test_version_names_the_database_schema_it_migrates_to(capsys: pytest.CaptureFixture[str]) -> None:
    """Every build said "monitor 0.1.0": an upgrade walkthrough could not tell old from new."""
    from monitor import __version__
    from monitor.store.db import head_revision

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"monitor {__version__} (database schema {head_revision()})\n"
