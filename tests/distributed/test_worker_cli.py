"""``monitor run`` with a broker and ``monitor worker``, as a user starts them: subprocesses, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_forum_config import ForumSource, demo_forum_config

from monitor.demo.forum import DemoForum, Forum
from monitor.demo.smtp_sink import MailSink

MONITOR = [sys.executable, "-m", "monitor.cli"]


def _env(**extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")} | extra


def _forum() -> Forum:
    now = datetime.now(UTC)  # the subprocesses read the real clock
    start = now - timedelta(minutes=70)
    forum = Forum(now=now)
    forum.add_board(2, "投诉维权")
    title = "途乐旅行退款三个月没到账，大家一起维权"
    watched = forum.add_thread(2, title, "维权人", start, "团费两万八，至今不退。")
    for n in range(14):
        at = start + timedelta(minutes=14 + 4 * n)
        forum.add_reply(watched.tid, f"网友{n}", at, "我也遇到了，一直拖着不退。")
    return forum


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_a_scheduler_and_a_worker_from_the_command_line(
    tmp_path: Path, redis_url: str, namespace: str
) -> None:
    with DemoForum(_forum()) as site, MailSink(tmp_path / "mail") as sink:
        config = tmp_path / "config"
        demo_forum_config(config, [ForumSource("bbs", "演示论坛", site.base_url, [2])])
        with (config / "monitor.toml").open("a", encoding="utf-8") as toml:
            toml.write(f'[distributed]\nnamespace = "{namespace}"\nleader_seconds = 3\n')
        text = (config / "monitor.toml").read_text(encoding="utf-8")
        (config / "monitor.toml").write_text(
            text.replace(
                "[smtp]\nenabled = false",
                f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsender = "m@test.invalid"\n'
                "[digest]\nenabled = false",
            ),
            encoding="utf-8",
        )
        env = _env(MONITOR_BROKER_URL=redis_url)
        upgrade = subprocess.run([*MONITOR, "db", "upgrade", "--config", str(config)], env=env, timeout=60)
        assert upgrade.returncode == 0
        scheduler = _start([*MONITOR, "run", "--config", str(config)], env)
        worker = _start([*MONITOR, "worker", "--threads", "2", "--config", str(config)], env)
        try:
            assert sink.wait_for(1, timeout=90), "no alert email"
        finally:
            worker_out, worker_err = _stop(worker)
            run_out, run_err = _stop(scheduler)
    assert worker.returncode == 0, worker_err
    assert scheduler.returncode == 0, run_err
    assert "monitor run: scheduling for workers on redis://" in run_out
    assert "leading: jobs are being sent" in run_out
    assert "monitor worker: 2 threads on redis://" in worker_out
    assert "途乐旅行" in str(sink.messages[0]["Subject"])


def test_without_a_broker_neither_starts(tmp_path: Path) -> None:
    config = tmp_path / "config"
    demo_forum_config(config, [ForumSource("bbs", "演示论坛", "http://127.0.0.1:9/", [2])])
    done = subprocess.run(
        [*MONITOR, "worker", "--config", str(config)], capture_output=True, text=True, timeout=60, env=_env()
    )
    assert done.returncode == 1
    assert "monitor worker needs [distributed] broker_url in monitor.toml (or $MONITOR_BROKER_URL)" in (
        done.stderr
    )
    bad = subprocess.run(
        [*MONITOR, "check-config", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(MONITOR_BROKER_URL="amqp://127.0.0.1:5672"),
    )
    assert bad.returncode == 2 and "distributed.broker_url" in bad.stderr and "redis://" in bad.stderr
