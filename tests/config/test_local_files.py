"""check-config says beforehand where the service could not write, and names a placeholder forum."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_DATA_DIR", "MONITOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["init", "conf"]) == 0
    return tmp_path / "conf"


def test_the_example_config_passes_and_its_placeholder_forum_is_named(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["check-config", "--config", str(config)]) == 0
    said = capsys.readouterr()
    assert "OK" in said.out
    assert "warning: source example-bbs: https://bbs.example.com/ is the example's placeholder" in said.err


def test_a_data_directory_that_is_a_file_fails_check_config(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    capsys.readouterr()
    assert main(["check-config", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"general.data_dir: data (here: {tmp_path / 'data'}): is a file where a folder is needed" in err


def test_a_sqlite_file_whose_folder_cannot_be_made_fails_and_names_the_variable(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'blocker' / 'db' / 'monitor.db'}")
    capsys.readouterr()
    assert main(["check-config", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "database.url (from $MONITOR_DATABASE_URL): the SQLite file's folder" in err
    assert f"cannot be made: {tmp_path / 'blocker'} is a file" in err


def test_a_database_path_that_is_a_folder_fails(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data" / "monitor.db").mkdir(parents=True)
    capsys.readouterr()
    assert main(["check-config", "--config", str(config)]) == 2
    assert "is a folder where the database file is needed" in capsys.readouterr().err


def test_folders_that_do_not_exist_yet_are_fine_when_they_can_be_made(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "new" / "deeper"))
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere' / 'monitor.db'}")
    assert main(["check-config", "--config", str(config)]) == 0
    assert not (tmp_path / "new").exists()  # checking makes nothing
