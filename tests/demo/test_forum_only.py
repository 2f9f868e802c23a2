"""`monitor demo --forum-only`: the demo forum alone, used as a new user would use a real forum."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from closed_port import closed_port
from server_process import wait_until_answering

from monitor.admin.sources_file import discover_boards
from monitor.demo.forum_only import serve_forum
from monitor.errors import MonitorError

ROOT = Path(__file__).resolve().parents[2]
MONITOR = [sys.executable, "-m", "monitor.cli"]
STORY = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"


@contextmanager
def _forum(port: int) -> Iterator[io.StringIO]:
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=serve_forum, args=(port, out, stop), daemon=True)
    runner.start()
    deadline = time.monotonic() + 10
    while "Demo forum:" not in out.getvalue():
        assert time.monotonic() < deadline and runner.is_alive(), out.getvalue()
        time.sleep(0.02)
    try:
        yield out
    finally:
        stop.set()
        runner.join(timeout=10)


def test_the_forum_index_lists_its_boards_and_the_story_is_there() -> None:
    port = closed_port()
    with _forum(port) as out:
        index = httpx.get(f"http://127.0.0.1:{port}/forum.php")
        home = httpx.get(f"http://127.0.0.1:{port}/")
        board = httpx.get(f"http://127.0.0.1:{port}/forum-2-1.html")
    assert index.status_code == home.status_code == 200 and index.text == home.text
    assert discover_boards(index.text) == [("2", "投诉维权"), ("3", "旅游天地"), ("4", "数码产品")]
    assert STORY in board.text  # the whole scenario has happened: it ends now
    said = out.getvalue()
    assert f"monitor sources add discuz http://127.0.0.1:{port}/ --name" in said
    # the first step works after `pip install .` too, where there is no config/ folder to copy
    assert "  monitor init my-config && monitor sources remove example-bbs" in said and "cp -r" not in said
    assert said.rstrip().endswith("demo forum stopped")


def test_a_port_in_use_is_said_plainly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MonitorError, match=rf"cannot serve the demo forum on 127\.0\.0\.1:{port}: "):
            serve_forum(port, io.StringIO())


def test_a_new_user_adds_it_crawls_it_and_sees_the_alert(tmp_path: Path) -> None:
    """The README's path for a real forum, end to end, every step a subprocess."""
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    forum = subprocess.Popen(
        [*MONITOR, "demo", "--forum-only", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/robots.txt", forum, "the demo forum")
        config = tmp_path / "my-config"
        shutil.copytree(ROOT / "config", config)
        fast = "[smtp]\nenabled = false\n[fetch]\nper_host_delay_seconds = 0\n"  # loopback: no need to wait
        (config / "monitor.toml").write_text(fast, encoding="utf-8")

        def monitor(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*MONITOR, *args, "--config", str(config)],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                cwd=tmp_path,
            )

        assert monitor("sources", "remove", "example-bbs").returncode == 0
        added = monitor(
            "sources", "add", "discuz", f"http://127.0.0.1:{port}/forum.php", "--name", "演示论坛"
        )
        assert added.returncode == 0, added.stderr
        assert "found board 2: 投诉维权" in added.stdout
        crawled = monitor("crawl", "--once")
        assert crawled.returncode == 0, crawled.stderr
        assert "0 could not be read" in crawled.stdout and "1 alert change" in crawled.stdout
        listed = monitor("alerts", "list")
        assert STORY in listed.stdout and "li_na" in listed.stdout
    finally:
        forum.send_signal(signal.SIGINT)
        stdout, _ = forum.communicate(timeout=30)
    assert forum.returncode == 0 and "demo forum stopped" in stdout
