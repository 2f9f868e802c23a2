"""``monitor demo --forum-only``: the demo forum alone, for trying the monitor as on a real forum.

The scenario's six hours of forum life are laid out so that they end now, and the forum's clock
then follows the real one. A new user can point their own config at it — ``monitor sources add``,
``monitor watch add``, ``monitor crawl --once``, ``monitor run`` — and see the refund complaint
alert, without touching a forum on the internet.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TextIO

from monitor.demo.forum import DemoForum, Forum
from monitor.demo.scenario import load_scenario
from monitor.errors import MonitorError

TICK_SECONDS = 1.0


def serve_forum(port: int, stream: TextIO, stop: threading.Event | None = None) -> int:
    """Serve the demo forum on 127.0.0.1:``port`` until Ctrl-C (or ``stop`` is set)."""
    scenario = load_scenario()
    end = datetime.now(UTC).replace(microsecond=0)
    forum = Forum(now=end)
    scenario.populate(forum, end - timedelta(minutes=scenario.duration_minutes))
    try:
        server = DemoForum(forum, port=port)
    except OSError as exc:
        raise MonitorError(
            f"cannot serve the demo forum on 127.0.0.1:{port}: {exc.strerror or exc}"
        ) from None
    stop = stop or threading.Event()
    with server:
        _say_how_to_use(stream, server.base_url, len(forum.boards()), scenario.duration_minutes)
        try:
            while not stop.wait(TICK_SECONDS):
                forum.now = datetime.now(UTC)  # new pages carry the real time from now on
        except KeyboardInterrupt:
            pass
    print("demo forum stopped", file=stream)
    return 0


def _say_how_to_use(stream: TextIO, url: str, boards: int, minutes: int) -> None:
    print(
        f"Demo forum: {url}  ({boards} boards; the last {minutes // 60} h of posts; Ctrl-C stops)",
        file=stream,
    )
    print("Try the monitor on it as on a real forum, from another terminal:", file=stream)
    for line in (
        # `init`, not `cp -r config`: a pip-installed monitor has no config/ folder to copy
        "monitor init my-config && monitor sources remove example-bbs --config my-config",
        f"monitor sources add discuz {url} --name 演示论坛 --config my-config",
        "monitor crawl --once --config my-config",
        "monitor alerts list --config my-config",
        "monitor threads rising --config my-config",
    ):
        print(f"  {line}", file=stream)
    stream.flush()
