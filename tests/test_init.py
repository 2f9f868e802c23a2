"""``monitor init DIR``: the config directory to start from, for an install without config/."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from monitor.commands.init import example_files
from monitor.config.loader import CONFIG_FILES, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_it_writes_the_projects_config_folder_which_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "etc" / "monitor"
    assert main(["init", str(target)]) == 0
    assert sorted(path.name for path in target.iterdir()) == sorted(CONFIG_FILES)
    for name in CONFIG_FILES:  # the package's copies are the project's config/, byte for byte
        assert (target / name).read_text(encoding="utf-8") == (ROOT / "config" / name).read_text(
            encoding="utf-8"
        ), name
    assert load_config(target, environ={}).sources[0].key == "example-bbs"
    assert f"monitor check-config --config {target}" in capsys.readouterr().out


def test_it_writes_nothing_where_a_config_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "routing.yaml").write_text("# ours\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert "already holds routing.yaml; nothing was written" in capsys.readouterr().err
    assert [path.name for path in tmp_path.iterdir()] == ["routing.yaml"]
    assert (tmp_path / "routing.yaml").read_text(encoding="utf-8") == "# ours\n"


def test_every_file_is_written_from_the_package(tmp_path: Path) -> None:
    assert list(example_files()) == list(CONFIG_FILES)
