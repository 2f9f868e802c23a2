"""`web.base_url` must be the root of a host name: the pages link from / (fixture: a copy of config/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"MONITOR_WEB_SECRET": "s" * 40}


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    for name, value in SECRET.items():
        monkeypatch.setenv(name, value)
    return target


def _with_base_url(config_dir: Path, base_url: str) -> None:
    (config_dir / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(config_dir / "data").as_posix()}"\n[smtp]\nenabled = false\n'
        f'[web]\nbase_url = "{base_url}"\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize("base_url", ["https://pr.example.com/monitor", "https://pr.example.com/monitor/"])
def test_a_base_url_under_a_path_is_refused_naming_the_path(
    config_dir: Path, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Behind a path the sign-in form (action="/signin") and every dashboard link would leave the monitor.
    _with_base_url(config_dir, base_url)
    assert main(["check-config", "--config", str(config_dir)]) == 2
    err = capsys.readouterr().err
    assert "web.base_url: must be the root of a host name of its own" in err
    assert "(/monitor)" in err and "monitor.toml" in err


@pytest.mark.parametrize(
    "base_url", ["https://monitor.example.com", "https://monitor.example.com/", "http://127.0.0.1:8080"]
)
def test_a_host_root_base_url_is_accepted(
    config_dir: Path, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_base_url(config_dir, base_url)
    main(["check-config", "--config", str(config_dir)])
    assert "web.base_url" not in capsys.readouterr().err


def test_the_environment_variable_is_checked_the_same(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_base_url(config_dir, "")
    monkeypatch.setenv("MONITOR_WEB_BASE_URL", "https://pr.example.com/tools/monitor/")
    assert main(["check-config", "--config", str(config_dir)]) == 2
    assert "(/tools/monitor)" in capsys.readouterr().err
