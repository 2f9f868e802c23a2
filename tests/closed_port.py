"""A loopback port nothing listens on: connecting to it is refused at once, every time.

Imported by the tests of an unreachable forum (tests/fetch/, tests/test_sources_cli.py,
tests/test_pipeline_unreachable.py). A uniquely named module, so it never clashes with others.
"""

from __future__ import annotations

import socket


def closed_port() -> int:
    """A port just bound and released on 127.0.0.1, so no server has it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
