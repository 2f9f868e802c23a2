"""Waiting for a server started as a subprocess (`monitor web`, `monitor demo --forum-only`) to answer.

A uniquely named module on the tests' path, like closed_port.py.
"""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_until_answering(url: str, process: subprocess.Popen[str], what: str, seconds: float = 30) -> None:
    """Return once ``url`` answers 200; fail if ``process`` exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, f"{what} did not come up"
        time.sleep(0.1)
