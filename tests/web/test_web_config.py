"""web settings: links are never sent unsigned, and a bad address is named at load time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.config.loader import load_config
from monitor.errors import ConfigError

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


def _config_dir(tmp_path: Path, web: str) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(f"[web]\n{web}\n", encoding="utf-8")
    return directory


def _problems(directory: Path, environ: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ=environ)
    return caught.value.problems


def test_base_url_without_a_signing_key_is_an_error(tmp_path: Path) -> None:
    directory = _config_dir(tmp_path, 'base_url = "https://monitor.example.com"')
    [problem] = _problems(directory, {})
    assert problem.startswith(f"{directory / 'monitor.toml'}: web.base_url: action links need a signing key")
    assert "$MONITOR_WEB_SECRET" in problem and "secrets.token_urlsafe" in problem
    [short] = _problems(directory, {"MONITOR_WEB_SECRET": "tooshort"})
    assert "is 8 characters; a signing key needs at least 32" in short
    config = load_config(directory, environ={"MONITOR_WEB_SECRET": "s" * 32})
    assert config.web_secret == "s" * 32 and config.settings.web.base_url == "https://monitor.example.com"


def test_a_base_url_that_is_not_http_is_named(tmp_path: Path) -> None:
    directory = _config_dir(tmp_path, 'base_url = "javascript:alert(1)"')
    problems = _problems(directory, {"MONITOR_WEB_SECRET": "s" * 32})
    assert any("web.base_url" in p and "http:// or https://" in p for p in problems), problems


def test_no_base_url_means_no_links_and_no_key_needed(tmp_path: Path) -> None:
    config = load_config(_config_dir(tmp_path, "listen_port = 8099"), environ={})
    assert config.settings.web.base_url == "" and config.settings.web.listen_port == 8099


def test_base_url_from_the_environment(tmp_path: Path) -> None:
    directory = _config_dir(tmp_path, "")
    config = load_config(
        directory,
        environ={"MONITOR_WEB_BASE_URL": "http://10.0.0.5:8080/", "MONITOR_WEB_SECRET": "s" * 40},
    )
    assert config.settings.web.base_url == "http://10.0.0.5:8080"
