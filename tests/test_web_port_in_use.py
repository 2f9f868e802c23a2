"""`monitor web` on a port another server holds: a clear error, exit 2, and no claim that it
listens (fixture: the demo config with a loopback socket holding the port)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from forum_fixtures import DEMO_CONFIG

from monitor.cli import main
from monitor.commands.web import CannotListen, listening_socket

SECRET = "s" * 40


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another server listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def _config(tmp_path: Path, web: str = "") -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[smtp]\nenabled = false\n'
        f'[web]\nbase_url = "https://monitor.example.com"\n{web}',
        encoding="utf-8",
    )
    return directory


def test_a_port_in_use_is_said_plainly_before_anything_claims_to_listen(
    tmp_path: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MONITOR_WEB_SECRET", SECRET)
    said = (
        f"error: port {taken_port} on 127.0.0.1 is in use (another monitor web?); set [web] listen_port "
        "(or --port) or stop it"
    )
    assert main(["web", "--config", str(_config(tmp_path)), "--port", str(taken_port)]) == 2
    out, err = capsys.readouterr()
    assert "listening" not in out and err.strip() == said
    shutil.rmtree(tmp_path / "config")
    assert main(["web", "--config", str(_config(tmp_path, f"listen_port = {taken_port}\n"))]) == 2
    assert capsys.readouterr().err.strip() == said


def test_a_free_port_is_bound_and_an_address_not_of_this_machine_is_named() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.getsockname()[0] == "127.0.0.1"
    with pytest.raises(CannotListen, match="not an address of this machine; set \\[web\\] listen_host"):
        listening_socket("192.0.2.1", 8080)  # TEST-NET-1: never a local address
