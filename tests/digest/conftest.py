"""The ``sink`` fixture: a loopback SMTP server for the digest's sending tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.demo.smtp_sink import MailSink


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    """A sink on a fixed free port, so that a stopped sink starts again where the config points."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with MailSink(tmp_path / "mail", port=port) as running:
        yield running
