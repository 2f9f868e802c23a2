"""Redis going away and coming back: the scheduler stands by and leads again; it never dies of it.

Redis is reached through a TCP proxy the test can cut and restore, so the machine's Redis is
never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.config.loader import load_config
from monitor.distributed.broker import connect
from monitor.distributed.coordination import Coordination, redis_client
from monitor.distributed.jobs import Job
from monitor.distributed.scheduler import run_scheduler
from monitor.errors import MonitorError

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"


class Proxy:
    """Forwards 127.0.0.1:port to Redis until cut; restored on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._sockets: list[socket.socket] = []
        self._open = False
        self._lock = threading.Lock()

    def start(self) -> Proxy:
        self._open = True
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._track(listener)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        with self._lock:
            self._open = False
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            if self._open:
                self._sockets.append(sock)
                return
        sock.close()  # accepted while being cut: it must not outlive the cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._track(client)
            self._track(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


def _wait(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_scheduler_stands_by_while_redis_is_away_and_leads_again(
    redis_url: str, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    parts = urlsplit(redis_url)
    proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 6379)).start()
    url = f"redis://127.0.0.1:{proxy.port}{parts.path}"
    config = load_config(
        DEMO_CONFIG,
        environ={},
        overrides={"distributed": {"broker_url": url, "namespace": namespace, "leader_seconds": 3}},
    )
    coordination = Coordination(redis_client(url), namespace, 60)
    changes: list[bool] = []
    holders: list[str | None] = []

    def changed(leading: bool, holder: str | None) -> None:
        changes.append(leading)
        holders.append(holder)

    sent: list[Job] = []
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    failed: list[BaseException] = []

    def scheduler() -> None:
        try:
            loop.run_until_complete(run_scheduler(config, coordination, sent.append, stop, changed))
        except BaseException as exc:  # the test fails on it below
            failed.append(exc)

    runner = threading.Thread(target=scheduler, daemon=True)
    runner.start()
    try:
        _wait(lambda: changes == [True])
        proxy.cut()  # Redis is gone: the scheduler lets go of the lead and waits
        _wait(lambda: changes == [True, False])
        assert holders[1] == "nobody (Redis does not answer)"  # standing by: not "another scheduler leads"
        time.sleep(1.5)  # a few more rounds without Redis
        assert runner.is_alive() and not failed
        proxy.start()  # back on the same port
        _wait(lambda: changes == [True, False, True])
    finally:
        loop.call_soon_threadsafe(stop.set)
        runner.join(timeout=15)
        loop.close()
        proxy.cut()
    assert not failed, failed
    said = [r.getMessage() for r in caplog.records if r.name == "monitor.distributed.scheduler"]
    assert any("does not answer" in line and "standing by until it does" in line for line in said), said
    assert any(line.startswith("Redis answers again at redis://127.0.0.1:") for line in said), said


def test_a_broker_that_does_not_answer_at_start_is_one_clear_line() -> None:
    config = load_config(
        DEMO_CONFIG, environ={}, overrides={"distributed": {"broker_url": "redis://:pw@127.0.0.1:1/9"}}
    )
    with pytest.raises(MonitorError) as caught:
        connect(config.settings.distributed)
    message = str(caught.value)
    assert message.startswith("Redis at redis://:****@127.0.0.1:1/9 does not answer: ")
    assert "[distributed] broker_url" in message and "$MONITOR_BROKER_URL" in message and "pw" not in message


def test_a_standby_scheduler_says_who_leads_at_its_start_and_stopping_is_said(
    redis_url: str, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A standby had logged nothing at all: alive or not, nobody could tell."""
    import logging

    from monitor.distributed.leader import Lease

    config = load_config(
        DEMO_CONFIG,
        environ={},
        overrides={"distributed": {"broker_url": redis_url, "namespace": namespace, "leader_seconds": 3}},
    )
    coordination = Coordination(redis_client(redis_url), namespace, 60)
    other = Lease(coordination.client, coordination.key("scheduler"), 3)  # another scheduler leads
    assert other.keep()
    changes: list[tuple[bool, str | None]] = []
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    caplog.set_level(logging.INFO, logger="monitor")
    runner = threading.Thread(
        target=lambda: loop.run_until_complete(
            run_scheduler(
                config, coordination, lambda job: None, stop, lambda *change: changes.append(change)
            )
        ),
        daemon=True,
    )
    runner.start()
    try:
        _wait(lambda: len(changes) == 1)
        assert changes[0] == (False, other.token)
        other.release()  # it stops: this one takes over
        _wait(lambda: len(changes) == 2)
        assert changes[1] == (True, None)
    finally:
        loop.call_soon_threadsafe(stop.set)
        runner.join(timeout=10)
        loop.close()
    said = [r.getMessage() for r in caplog.records if r.name.startswith("monitor.distributed")]
    assert f"scheduler standing by: {other.token} leads" in said
    assert "scheduler stopping: no more jobs are sent; the lead is let go" in said
