"""The audit log of ``watch_groups.yaml``: ``watch_groups.audit.jsonl`` next to it, one JSON line
per changed group — when (UTC), who, what (the group before and after) and the file's SHA-256
before and after.

``monitor watch add|remove`` record their own edits. Edits made in the file by hand are found by
:func:`hand_edits`: starting from a version the reader knows, it follows the recorded changes
forward (a chain of ``sha256_before`` → ``sha256_after``) and back from the file as it is now;
whatever differs between the two ends was changed by hand, and each group is an ``add``, ``edit``
or ``remove`` against the last recorded version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

AUDIT_FILE = "watch_groups.audit.jsonl"
HAND_EDIT = "(edited in the file)"

GroupDicts = Mapping[str, dict[str, Any]]  # group name -> the group as written in the file


def audit_path(file: Path) -> Path:
    return file.with_name(AUDIT_FILE)


def sha256_text(text: str | None) -> str:
    """The SHA-256 of a version of the file ("" when there is no file)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else ""


def timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ChangeRecord:
    """One line of the audit log."""

    at: str  # ISO 8601 UTC
    by: str
    action: str  # add, replace, remove (monitor watch); add, edit, remove (by hand)
    group: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str
    sha256_before: str
    sha256_after: str
    host: str = field(default_factory=socket.gethostname)


def read_audit(file: Path) -> list[ChangeRecord]:
    """The audit log of a watch-groups file, oldest first (unreadable lines are skipped)."""
    return list(iter_audit(file))


def iter_audit(file: Path) -> Iterator[ChangeRecord]:
    """The audit log's records one at a time, oldest first, the file read line by line (a log of
    months of edits to groups of hundreds of terms runs to tens of megabytes)."""
    log_file = audit_path(file)
    if not log_file.exists():
        return
    with log_file.open(encoding="utf-8") as lines:
        for line in lines:
            with contextlib.suppress(ValueError, TypeError):
                yield ChangeRecord(**json.loads(line))


def change_lines(record: ChangeRecord) -> list[str]:
    """What a change did, key by key: the terms it added (+) and took out (-), a category or an
    expression changed — not both whole groups (hundreds of terms each)."""
    before, after = record.before or {}, record.after or {}
    lines: list[str] = []
    for key in dict.fromkeys([*before, *after]):
        if key == "name":
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, list | type(None)) and isinstance(new, list | type(None)):
            gone = [term for term in old or [] if term not in (new or [])]
            came = [term for term in new or [] if term not in (old or [])]
            said = [f"+{_shown(came)}"] if came else []
            said += [f"-{_shown(gone)}"] if gone else []
            lines.append(f"{key}: {' '.join(said) or '(reordered)'}")
        else:
            lines.append(
                f"{key}: {new!r}"
                if old is None
                else f"{key}: {old!r} (taken out)"  # a group removed, or its expression dropped
                if new is None
                else f"{key}: {old!r} -> {new!r}"
            )
    return lines


def _shown(terms: list[Any], most: int = 12) -> str:
    said = ", ".join(str(term) for term in terms[:most])
    return said + (f" … ({len(terms)} in all)" if len(terms) > most else "")


def append_records(out: TextIO, records: Sequence[ChangeRecord]) -> None:
    for record in records:
        out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    out.flush()
    os.fsync(out.fileno())


@contextlib.contextmanager
def locked_audit(file: Path) -> Iterator[TextIO]:
    """The audit log opened for appending, locked against other writers of the same file.

    Whoever writes ``watch_groups.yaml`` or records a change holds this lock, so the file and its
    log are seen together."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with audit_path(file).open("a", encoding="utf-8") as out:
        try:
            import fcntl

            fcntl.flock(out.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: no lock
            pass
        yield out


# --- which changes were made by hand -----------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """A version of the file: its SHA-256 and its groups."""

    sha256: str
    groups: GroupDicts


def _step(groups: GroupDicts, name: str, value: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    changed = {n: g for n, g in groups.items() if n != name}
    if value is not None:
        changed[name] = value
    return changed


def replay(start: Version, records: Sequence[ChangeRecord], stop_at: str) -> tuple[Version, int]:
    """Apply, oldest first, the records that continue from ``start`` (each starts where the last
    ended; the records of one change share both hashes) until the version ``stop_at`` is reached.
    The version reached and how many records were applied."""
    version, applied, step = start, 0, ("", "")
    for record in records:
        same_change = (record.sha256_before, record.sha256_after) == step  # another group of it
        if not same_change and (version.sha256 == stop_at or record.sha256_before != version.sha256):
            break
        version = Version(record.sha256_after, _step(version.groups, record.group, record.after))
        step = (record.sha256_before, record.sha256_after)
        applied += 1
    return version, applied


def rewind(end: Version, records: Sequence[ChangeRecord]) -> Version:
    """Undo, newest first, the records that lead to ``end``: the version before them."""
    version, step = end, ("", "")
    for record in reversed(records):
        same_change = (record.sha256_before, record.sha256_after) == step
        if record.sha256_after != version.sha256 and not same_change:
            break
        version = Version(record.sha256_before, _step(version.groups, record.group, record.before))
        step = (record.sha256_before, record.sha256_after)
    return version


def hand_edits(
    known: Version, recorded: Sequence[ChangeRecord], now: Version, at: datetime, file: Path
) -> list[ChangeRecord]:
    """The records of the changes made by hand between ``known`` and ``now``, given the records
    appended to the audit log since ``known`` was read: one per changed group, against the last
    recorded version."""
    start, applied = replay(known, recorded, now.sha256)
    end = rewind(now, recorded[applied:])
    if start.sha256 == end.sha256:
        return []
    names = [*end.groups, *(n for n in start.groups if n not in end.groups)]
    return [
        ChangeRecord(
            at=timestamp(at),
            by=HAND_EDIT,
            action="add" if before is None else "remove" if after is None else "edit",
            group=name,
            before=before,
            after=after,
            file=str(file),
            sha256_before=start.sha256,
            sha256_after=end.sha256,
        )
        for name in names
        if (before := start.groups.get(name)) != (after := end.groups.get(name))
    ]
