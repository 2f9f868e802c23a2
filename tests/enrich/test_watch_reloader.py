"""Watch groups change without a restart: the reloader picks up valid edits, keeps the last good
version when an edit is broken (and logs file and key), and records hand edits in the audit log.

Files are written by the test into tmp_path."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config.files import WatchGroupConfig
from monitor.enrich.watch_admin import HAND_EDIT, WatchGroupsReloader, add_group, read_audit
from monitor.errors import ConfigError

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
V1 = "watch_groups:\n  - name: 途乐旅行\n    include: [途乐]\n"
V2 = V1 + "  - name: 星耀\n    include: [星耀Pro14]\n"
BROKEN = V2 + "  - name: 高管\n    expression: '张总 AND 途乐) OR x'\n"


def _write(path: Path, text: str, tick: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1_800_000_000_000_000_000 + tick, 1_800_000_000_000_000_000 + tick))


def _names(reloader: WatchGroupsReloader, text: str) -> list[str]:
    return [m.group for m in reloader.current(NOW).match(text)]


def test_a_valid_change_applies_on_the_next_call(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    first = reloader.current(NOW)
    assert reloader.current(NOW) is first  # unchanged file: the same matcher, one stat
    assert _names(reloader, "途乐 星耀pro14") == ["途乐旅行"]
    _write(path, V2, 2)
    assert _names(reloader, "途乐 星耀pro14") == ["途乐旅行", "星耀"]
    assert reloader.problems == []


def test_an_invalid_change_keeps_the_last_good_groups_and_logs_file_and_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V2, 1)
    reloader = WatchGroupsReloader(path)
    _write(path, BROKEN, 2)
    with caplog.at_level(logging.ERROR, logger="monitor.enrich.watch_admin"):
        assert _names(reloader, "途乐 星耀pro14") == ["途乐旅行", "星耀"]
    problem = f"{path}: watch_groups[2].expression: unexpected ')' at column 10"
    assert reloader.problems == [problem]
    assert any(
        problem in record.getMessage() and record.levelno == logging.ERROR for record in caplog.records
    )
    _write(path, V1, 3)  # fixed: applies again
    assert _names(reloader, "途乐 星耀pro14") == ["途乐旅行"]
    assert reloader.problems == []


def test_a_deleted_file_keeps_the_last_good_groups(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    path.unlink()
    with caplog.at_level(logging.ERROR, logger="monitor.enrich.watch_admin"):
        assert _names(reloader, "途乐") == ["途乐旅行"]
    assert "cannot read" in reloader.problems[0]


def test_an_invalid_file_at_start_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, BROKEN, 1)
    with pytest.raises(ConfigError):
        WatchGroupsReloader(path)
    groups = [WatchGroupConfig(name="a", include=["ab"])]
    assert [g.name for g in WatchGroupsReloader(path, groups).current(NOW).groups] == ["a"]


def test_hand_edits_are_recorded_once_and_command_edits_are_not_recorded_twice(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    _write(path, V2.replace("include: [途乐]", "include: [途乐, 途乐旅行]"), 2)
    reloader.current(NOW)
    records = read_audit(path)
    assert [(r.by, r.action, r.group) for r in records] == [
        (HAND_EDIT, "edit", "途乐旅行"),
        (HAND_EDIT, "edit", "星耀"),
    ]
    assert records[0].before == {"name": "途乐旅行", "category": "other", "include": ["途乐"]}
    assert records[1].before is None and records[1].at == "2026-11-24T01:00:00Z"
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    reloader.current(NOW)
    assert [(r.by, r.action, r.group) for r in read_audit(path)][2:] == [("ops", "add", "新")]
    assert [g.name for g in reloader.current(NOW).groups] == ["途乐旅行", "星耀", "新"]
