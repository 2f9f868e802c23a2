"""The commands as a user runs them, in a subprocess, against the loopback fixture forum (conftest)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from forum_fixtures import FixtureForum

from monitor.store.db import make_engine
from monitor.store.run_lock import run_lock

MONITOR = [sys.executable, "-m", "monitor.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}


def _start_run(config: Path) -> subprocess.Popen[str]:
    """`monitor run --config CONFIG` in the background, its output captured."""
    return subprocess.Popen(
        [*MONITOR, "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def test_crawl_once_reports_and_exits_nonzero_when_pages_fail(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    done = subprocess.run(
        [*MONITOR, "crawl", "--once", "--config", str(fixture_config)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    # 19 of the board's thread pages were never captured: reported, and the exit status says so
    assert done.returncode == 1, done.stderr
    assert "21 threads" in done.stdout and "19 could not be read" in done.stdout
    assert "page skipped" in done.stderr
    assert (fixture_config.parent / "monitor.db").exists()
    skipped = next(line for line in done.stderr.splitlines() if "page skipped" in line)
    assert "[url=http://127.0.0.1:" in skipped and " kept_as=" in skipped  # its details, not just words


def test_run_stops_cleanly_on_ctrl_c(fixture_config: Path, fixture_forum: FixtureForum) -> None:
    process = _start_run(fixture_config)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("tid=4&page=1" in r for r in fixture_forum.requests):
            time.sleep(0.2)
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "crawled fixture-bbs board 2: " in stderr and "(19 failed), 21 threads, 43 new posts" in stderr
    # the start says where the config and the data are and what is watched
    assert f"config {fixture_config}; database sqlite:///" in stderr
    assert "watching fixture-bbs (1 board) for " in stderr
    assert "Traceback" not in stderr


def test_broken_config_never_starts(fixture_config: Path, fixture_forum: FixtureForum) -> None:
    (fixture_config / "monitor.toml").write_text("[schedule]\ncrawl_interval_minute = 5\n", encoding="utf-8")
    done = subprocess.run(
        [*MONITOR, "run", "--config", str(fixture_config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert done.returncode == 2
    assert f"{fixture_config / 'monitor.toml'}: schedule.crawl_interval_minute: unknown key" in done.stderr
    assert fixture_forum.requests == []


def test_output_into_a_pipe_closed_early_ends_without_a_traceback() -> None:
    """`monitor alerts show 1 | head`: the reader goes away while the command still writes."""
    lots = (
        "import monitor.cli as cli\n"
        "def _dispatch(args):\n"
        "    for n in range(200_000):\n"
        "        print('line', n)\n"
        "    return 0\n"
        "cli._dispatch = _dispatch\n"
        "raise SystemExit(cli.main(['check-config']))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", lots], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"line 0\n"
    process.stdout.close()  # like `head -1` exiting
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors


def test_a_second_crawler_on_the_same_database_is_refused(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    """`monitor run` twice (or `crawl --once` beside it) by mistake: the second does not start."""
    process = _start_run(fixture_config)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not fixture_forum.requests:
            time.sleep(0.2)
        assert fixture_forum.requests, "monitor run did not start crawling"
        for second in (["run"], ["crawl", "--once"]):
            done = subprocess.run(
                [*MONITOR, *second, "--config", str(fixture_config)],
                capture_output=True,
                text=True,
                timeout=60,
                env=_env(),
            )
            assert done.returncode != 0
            assert f"`monitor run` (pid {process.pid}) is already crawling sqlite:///" in done.stderr
            assert f"`monitor {second[0]}` not started" in done.stderr and "Traceback" not in done.stderr
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    engine = make_engine(f"sqlite:///{fixture_config.parent / 'monitor.db'}")
    with run_lock(engine, "monitor crawl"):  # once it has stopped, the next one may start
        pass
    engine.dispose()


def test_a_data_directory_that_is_a_file_is_one_line_not_a_traceback(
    fixture_config: Path, tmp_path: Path
) -> None:
    afile = tmp_path / "data"
    afile.write_text("not a folder", encoding="utf-8")
    done = subprocess.run(
        [*MONITOR, "crawl", "--once", "--config", str(fixture_config)],
        env={**os.environ, "MONITOR_DATA_DIR": str(afile)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (
        f"error: {afile}: is a file where a folder is needed (check general.data_dir and --config)"
        in done.stderr
    )


def test_crawl_once_stopped_by_sigterm_says_so_and_keeps_what_it_read(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    """A cron job's timeout or a systemd stop had ended it silently with exit 143."""
    toml = fixture_config / "monitor.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "per_host_delay_seconds = 0.0", "per_host_delay_seconds = 1.0"
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [*MONITOR, "crawl", "--once", "--config", str(fixture_config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("viewthread" in r for r in fixture_forum.requests):
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143 and "Traceback" not in stderr
    assert "crawl stopped by SIGTERM before the pass ended: what was read is kept" in stderr
    assert len([r for r in fixture_forum.requests if "viewthread" in r]) < 19  # it did not read on
    engine = make_engine(f"sqlite:///{fixture_config.parent / 'monitor.db'}")
    with run_lock(engine, "monitor crawl"):  # the lock was let go
        pass
    engine.dispose()


def test_python_m_monitor_is_the_monitor_command(fixture_config: Path) -> None:
    """``python -m monitor`` from a clone not installed (as the developers' notes run it)."""
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "sources", "list", "--config", str(fixture_config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr
    assert "boards:" in done.stdout
