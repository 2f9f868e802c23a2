"""Which changes of ``watch_groups.yaml`` were made by hand, given what the audit log recorded
(:func:`monitor.enrich.watch_audit.hand_edits`). Versions and records are built here; the hashes
are stand-ins (any distinct strings)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.enrich.watch_audit import HAND_EDIT, ChangeRecord, Version, hand_edits

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
FILE = Path("/config/watch_groups.yaml")


def _group(name: str, *include: str) -> dict[str, Any]:
    return {"name": name, "category": "other", "include": list(include)}


def _record(by: str, action: str, before: Any, after: Any, sha_before: str, sha_after: str) -> ChangeRecord:
    name = (before or after)["name"]
    return ChangeRecord(
        "2026-11-24T09:00:00Z", by, action, name, before, after, str(FILE), sha_before, sha_after
    )


def _version(sha: str, *groups: dict[str, Any]) -> Version:
    return Version(sha, {g["name"]: g for g in groups})


A, A2, B, C, D = (
    _group("甲", "甲乙"),
    _group("甲", "甲乙", "甲丙"),
    _group("乙", "乙丙"),
    _group("丙", "丙丁"),
    _group("丁", "丁戊"),
)


def test_only_the_gap_between_the_recorded_changes_was_made_by_hand() -> None:
    recorded = [
        _record(HAND_EDIT, "edit", A, A2, "s0", "s1"),  # one hand edit, recorded by another service:
        _record(HAND_EDIT, "add", None, B, "s0", "s1"),  # its records share both hashes
        # s1 -> s2: 丙 added by hand, not recorded yet
        _record("ops", "add", None, D, "s2", "s3"),
    ]
    [record] = hand_edits(_version("s0", A), recorded, _version("s3", A2, B, C, D), NOW, FILE)
    assert record == ChangeRecord(
        "2026-11-24T09:30:00Z", HAND_EDIT, "add", "丙", None, C, str(FILE), "s1", "s2", record.host
    )


def test_nothing_was_made_by_hand_when_the_records_lead_to_the_file() -> None:
    recorded = [_record("ops", "add", None, B, "s0", "s1"), _record("ops", "remove", B, None, "s1", "s0")]
    assert hand_edits(_version("s0", A), recorded, _version("s0", A), NOW, FILE) == []
    assert hand_edits(_version("s0", A), recorded[:1], _version("s1", A, B), NOW, FILE) == []
    assert hand_edits(_version("s0", A), [], _version("s9", A), NOW, FILE) == []  # a comment changed


def test_a_hand_edit_against_the_last_recorded_version_names_its_kind() -> None:
    recorded = [_record("ops", "add", None, B, "s0", "s1")]
    records = hand_edits(_version("s0", A, C), recorded, _version("s2", A2, B, D), NOW, FILE)
    assert [(r.action, r.group, r.before, r.after) for r in records] == [
        ("edit", "甲", A, A2),
        ("add", "丁", None, D),
        ("remove", "丙", C, None),
    ]
    assert {(r.sha256_before, r.sha256_after) for r in records} == {("s1", "s2")}
