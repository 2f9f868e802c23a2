"""A rejected watch_groups.yaml reload is one log line that says its problem once (files are
written by the test into tmp_path; formatted as the service formats its log)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from monitor.enrich.watch_admin import WatchGroupsReloader
from monitor.log_format import DetailsFormatter

GOOD = "watch_groups:\n  - name: 途乐旅行\n    include: [途乐]\n"
NOT_YAML = GOOD + "  - name: [星耀\n"


def _write(path: Path, text: str, tick: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1_800_000_000_000_000_000 + tick, 1_800_000_000_000_000_000 + tick))


def test_a_rejected_reload_says_its_problem_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, GOOD, 1)
    reloader = WatchGroupsReloader(path, record_hand_edits=False)
    _write(path, NOT_YAML, 2)
    with caplog.at_level(logging.ERROR, logger="monitor.enrich.watch_admin"):
        reloader.current()
    [problem] = reloader.problems
    assert re.match(rf"{re.escape(str(path))}: line \d+(, column \d+)?: not valid YAML: ", problem)
    assert "\n" not in problem  # one line in the service log
    [record] = caplog.records
    line = DetailsFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line.count("not valid YAML") == 1 and line.count(str(path)) == 1
    assert line.startswith(
        "ERROR monitor.enrich.watch_admin: watch groups not reloaded, keeping the last good"
    )


def test_a_reload_says_how_many_groups_in_words(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, GOOD + "  - name: 星耀\n    include: [星耀Pro14]\n", 1)
    reloader = WatchGroupsReloader(path, record_hand_edits=False)
    _write(path, GOOD, 2)
    with caplog.at_level(logging.INFO, logger="monitor.enrich.watch_admin"):
        reloader.current()
    assert [r.getMessage() for r in caplog.records] == ["watch groups reloaded: 1 group"]
