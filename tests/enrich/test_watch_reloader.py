"""Watch groups change without a restart: the reloader picks up valid edits, keeps the last good
version when an edit is broken (and logs file and key), and records hand edits in the audit log.

Files are written by the test into tmp_path."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config.files import WatchGroupConfig
from monitor.enrich.watch_admin import WatchGroupsReloader, add_group, remove_group
from monitor.enrich.watch_audit import HAND_EDIT, read_audit
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
    line = BROKEN.splitlines().index("    expression: '张总 AND 途乐) OR x'") + 1
    problem = f"{path}: watch_groups[2].expression: unexpected ')' at column 10 (line {line})"
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
        (HAND_EDIT, "add", "星耀"),
    ]
    assert records[0].before == {"name": "途乐旅行", "category": "other", "include": ["途乐"]}
    assert records[1].before is None and records[1].at == "2026-11-24T01:00:00Z"
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    reloader.current(NOW)
    assert [(r.by, r.action, r.group) for r in read_audit(path)][2:] == [("ops", "add", "新")]
    assert [g.name for g in reloader.current(NOW).groups] == ["途乐旅行", "星耀", "新"]


def _history(path: Path) -> list[tuple[str, str, str]]:
    return [(r.by, r.action, r.group) for r in read_audit(path)]


def test_a_command_edit_then_a_hand_edit_are_recorded_once_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the report: `monitor run` running, `monitor watch add 路由器`, then a group added by hand
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    argv = ["watch", "add", "路由器", "--include", "路由器", "--by", "ops_tester", "--config", str(tmp_path)]
    assert main(argv) == 0
    _write(path, path.read_text(encoding="utf-8") + "  - name: 星耀手机\n    include: [星耀手机]\n", 2)
    assert [g.name for g in reloader.current(NOW).groups] == ["途乐旅行", "路由器", "星耀手机"]
    command, hand = read_audit(path)
    assert (command.by, command.action, command.group) == ("ops_tester", "add", "路由器")
    assert (hand.by, hand.action, hand.group, hand.before) == (HAND_EDIT, "add", "星耀手机", None)
    assert hand.after == {"name": "星耀手机", "category": "other", "include": ["星耀手机"]}
    assert hand.sha256_before == command.sha256_after != hand.sha256_after
    _write(path, path.read_text(encoding="utf-8"), 3)  # touched, not changed
    reloader.current(NOW)
    capsys.readouterr()
    assert main(["watch", "history", "--config", str(tmp_path)]) == 0
    entries = [line.split("  ", 1)[1] for line in capsys.readouterr().out.splitlines() if line[0] != " "]
    assert entries == ["ops_tester  add '路由器'", f"{HAND_EDIT}  add '星耀手机'"]


def test_a_hand_edit_is_recorded_as_add_edit_or_remove_per_group(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V2 + "  - name: 高管\n    expression: 张总 AND 途乐\n", 1)
    reloader = WatchGroupsReloader(path)
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    reloader.current(NOW)  # the service saw the command's version
    edited = path.read_text(encoding="utf-8").replace(
        "include: [星耀Pro14]", "include: [星耀Pro14, 星耀手机]"
    )
    edited = edited.replace("  - name: 途乐旅行\n    include: [途乐]\n", "")
    _write(path, edited + "  - name: 路由器\n    include: [路由器]\n", 2)
    reloader.current(NOW)
    assert _history(path) == [
        ("ops", "add", "新"),
        (HAND_EDIT, "edit", "星耀"),
        (HAND_EDIT, "add", "路由器"),
        (HAND_EDIT, "remove", "途乐旅行"),
    ]
    edit, add, remove = read_audit(path)[1:]
    assert edit.before == {"name": "星耀", "category": "other", "include": ["星耀Pro14"]}
    assert edit.after == {"name": "星耀", "category": "other", "include": ["星耀Pro14", "星耀手机"]}
    assert remove.before == {"name": "途乐旅行", "category": "other", "include": ["途乐"]}
    assert remove.after is None and add.before is None


def test_a_hand_edit_made_before_a_command_edit_is_recorded_without_the_command_s_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V2, 1)
    reloader = WatchGroupsReloader(path)
    _write(path, V2.replace("include: [星耀Pro14]", "include: [星耀Pro14, 星耀手机]"), 2)
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)  # before the service looked
    reloader.current(NOW)
    assert _history(path) == [("ops", "add", "新"), (HAND_EDIT, "edit", "星耀")]
    command, hand = read_audit(path)
    assert "新" not in str(hand.before) + str(hand.after)
    assert hand.sha256_after == command.sha256_before


def test_a_hand_edit_is_recorded_once_by_several_services(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    scheduler, worker = WatchGroupsReloader(path), WatchGroupsReloader(path)
    hand = (
        V2.replace("include: [途乐]", "include: [途乐, 途乐旅行]") + "  - name: 高管\n    include: [张总]\n"
    )
    _write(path, hand, 2)  # one edit, three groups: three records with the same two hashes
    scheduler.current(NOW)
    worker.current(NOW)
    assert _history(path) == [
        (HAND_EDIT, "edit", "途乐旅行"),
        (HAND_EDIT, "add", "星耀"),
        (HAND_EDIT, "add", "高管"),
    ]
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    add_group(path, WatchGroupConfig(name="新", include=["新词", "新品"]), "ops", NOW, replace=True)
    _write(path, path.read_text(encoding="utf-8").replace("新品", "新款"), 3)
    worker.current(NOW)
    scheduler.current(NOW)
    assert _history(path)[3:] == [("ops", "add", "新"), ("ops", "replace", "新"), (HAND_EDIT, "edit", "新")]
    assert read_audit(path)[-1].before == {"name": "新", "category": "other", "include": ["新词", "新品"]}


def test_what_a_command_undid_is_not_recorded_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    remove_group(path, "新", "ops", NOW)
    reloader.current(NOW)
    assert _history(path) == [("ops", "add", "新"), ("ops", "remove", "新")]
    _write(path, V2, 2)
    reloader.current(NOW)
    assert _history(path)[2:] == [(HAND_EDIT, "add", "星耀")]


def test_a_rotated_audit_log_is_read_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    add_group(path, WatchGroupConfig(name="新", include=["新词"]), "ops", NOW)
    add_group(path, WatchGroupConfig(name="新品", include=["新品"]), "ops", NOW)
    reloader.current(NOW)
    (tmp_path / "watch_groups.audit.jsonl").rename(tmp_path / "watch_groups.audit.jsonl.1")
    remove_group(path, "新", "ops", NOW)
    reloader.current(NOW)
    assert _history(path) == [("ops", "remove", "新")]


def test_a_hand_edit_is_dated_when_the_file_was_saved_not_when_it_was_noticed(tmp_path: Path) -> None:
    path = tmp_path / "watch_groups.yaml"
    _write(path, V1, 1)
    reloader = WatchGroupsReloader(path)
    path.write_text(V2, encoding="utf-8")
    saved = NOW - timedelta(minutes=50)  # the service was down, or polls the file rarely
    os.utime(path, (saved.timestamp(), saved.timestamp()))
    reloader.current(NOW)
    assert {r.at for r in read_audit(path)} == {"2026-11-24T00:10:00Z"}


def test_a_routed_group_renamed_by_hand_is_not_reloaded_and_the_route_is_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "watch_groups.yaml"
    (tmp_path / "routing.yaml").write_text(
        "route:\n  receiver: li_na\n  routes:\n"
        "    - match: {watch_groups: [途乐旅行]}\n      receiver: li_na\n",
        encoding="utf-8",
    )
    _write(path, V2, 1)
    reloader = WatchGroupsReloader(path, record_hand_edits=False)
    _write(path, V2.replace("name: 途乐旅行", "name: 途乐旅游"), 2)
    with caplog.at_level(logging.ERROR, logger="monitor.enrich.watch_admin"):
        assert _names(reloader, "途乐 星耀pro14") == ["途乐旅行", "星耀"]  # the last good version kept
    assert reloader.problems == [
        f"{tmp_path / 'routing.yaml'}: route.routes[0].match.watch_groups[0]: routes watch group '途乐旅行', "
        "which watch_groups.yaml no longer has"
    ]
    assert "keeping the last good version" in caplog.text
    _write(path, V2 + "  - name: 途乐旅游\n    include: [途乐旅游]\n", 3)  # a new group beside it: fine
    assert _names(reloader, "途乐旅游") == ["途乐旅行", "途乐旅游"] and reloader.problems == []
