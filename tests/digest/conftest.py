"""The ``sink`` fixture (a loopback SMTP server) and the ``setup`` fixture (digest_setup.Setup on the
``db_url`` database) for the digest's sending tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from digest_setup import Setup

from monitor.demo.smtp_sink import MailSink


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    """A sink on a fixed free port, so that a stopped sink starts again where the config points."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with MailSink(tmp_path / "mail", port=port) as running:
        yield running


@pytest.fixture
def setup(tmp_path: Path, sink: MailSink, db_url: str) -> Iterator[Setup]:
    """digest_setup's configuration and seeded thread on the ``db_url`` database (SQLite, PostgreSQL)."""
    kept = Setup(tmp_path, sink, database_url=db_url)
    try:
        yield kept
    finally:
        kept.close()
