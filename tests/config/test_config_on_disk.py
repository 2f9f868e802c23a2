"""Config files edited under a running service are said in the log once: a valid edit as a
warning that a restart applies it, an invalid one as an error naming the problem."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from monitor.config.on_disk import ConfigWatch

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


def _touch_later(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))  # a later edit


def test_an_edit_is_said_once_valid_or_not(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    watch = ConfigWatch(directory, environ={})
    with caplog.at_level(logging.WARNING, logger="monitor.config.on_disk"):
        assert watch.check() == []  # nothing changed: nothing said
        toml = directory / "monitor.toml"
        _touch_later(toml, toml.read_text(encoding="utf-8") + "\n[alerting]\nreopen_after_replies = 7\n")
        assert watch.check() == ["monitor.toml"]
        assert watch.check() == []  # said once
        _touch_later(toml, toml.read_text(encoding="utf-8"))  # touched, the same contents
        assert watch.check() == []
        routing = directory / "routing.yaml"
        _touch_later(routing, routing.read_text(encoding="utf-8").replace("spokespeople:", "spokespeple:", 1))
        assert watch.check() == ["routing.yaml"]
    warning, error = caplog.records
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith("monitor.toml changed on disk: restart monitor run to apply it")
    assert error.levelno == logging.ERROR
    message = error.getMessage()
    assert message.startswith("routing.yaml changed on disk and the config is now invalid")
    assert "the next start will refuse it" in message and "spokespeple" in message
