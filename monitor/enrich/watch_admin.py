"""Services behind ``monitor watch``: edit ``watch_groups.yaml`` safely, record every change, and
reload the groups without a restart (the backtest is in :mod:`monitor.enrich.watch_backtest`).

- Edits keep the file's comments and order (ruamel.yaml round trip), quote every term (so ``no`` or
  ``123`` stay text for the YAML 1.1 reader), validate the whole new file before writing, and write
  it atomically (a temporary file renamed over the old one): a rejected edit leaves the file as it
  was.
- Every change appends one JSON line to ``watch_groups.audit.jsonl`` next to the file: when (UTC),
  who, what (the group before and after) and the file's SHA-256 before and after. Edits made in
  the file by hand are recorded by :class:`WatchGroupsReloader` when it picks them up.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import io
import json
import logging
import os
import socket
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from monitor.config.files import WatchGroupConfig, WatchGroupsFile
from monitor.config.loader import resolve_directory, validation_problems
from monitor.enrich.keywords import WatchMatcher
from monitor.errors import ConfigError, UnknownNameError

log = logging.getLogger(__name__)

WATCH_FILE = "watch_groups.yaml"
AUDIT_FILE = "watch_groups.audit.jsonl"
HAND_EDIT = "(edited in the file)"


def watch_file(config: Path | None, environ: Mapping[str, str]) -> Path:
    """``watch_groups.yaml`` in the config directory (``--config``, ``$MONITOR_CONFIG``, ``./config``)."""
    return resolve_directory(config, environ) / WATCH_FILE


def audit_path(file: Path) -> Path:
    return file.with_name(AUDIT_FILE)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def _parse(file: Path, text: str) -> list[WatchGroupConfig]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{file}: not valid YAML: {exc}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{file}: expected a mapping at the top level, got {type(data).__name__}"])
    try:
        return WatchGroupsFile.model_validate(data).watch_groups
    except ValidationError as exc:
        raise ConfigError(validation_problems(file, exc)) from None


def load_watch_groups(file: Path) -> list[WatchGroupConfig]:
    """Read and validate a watch-groups file; :class:`ConfigError` lists every problem (file: key)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{file}: cannot read: {exc}"]) from None
    return _parse(file, text)


def group_dict(group: WatchGroupConfig) -> dict[str, Any]:
    """A group as it is written in the file: only the keys that are set."""
    return {"name": group.name, "category": group.category} | group.model_dump(
        exclude_defaults=True, exclude={"name", "category"}
    )


# --- the audit log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRecord:
    """One line of the audit log."""

    at: str  # ISO 8601 UTC
    by: str
    action: str  # add, replace, remove, edit
    group: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str
    sha256_before: str
    sha256_after: str
    host: str = field(default_factory=socket.gethostname)


def read_audit(file: Path) -> list[ChangeRecord]:
    """The audit log of a watch-groups file, oldest first (unreadable lines are skipped)."""
    records: list[ChangeRecord] = []
    log_file = audit_path(file)
    if not log_file.exists():
        return records
    for line in log_file.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError, TypeError):
            records.append(ChangeRecord(**json.loads(line)))
    return records


def _append(out: TextIO, records: Sequence[ChangeRecord]) -> None:
    for record in records:
        out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    out.flush()
    os.fsync(out.fileno())


@contextlib.contextmanager
def _locked_audit(file: Path) -> Iterator[TextIO]:
    """The audit log opened for appending, locked against other writers of the same file."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with audit_path(file).open("a", encoding="utf-8") as out:
        try:
            import fcntl

            fcntl.flock(out.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: no lock
            pass
        yield out


def _sha256(text: str | None) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else ""


# --- editing the file --------------------------------------------------------------------------


def _round_trip() -> Any:
    from ruamel.yaml import YAML  # only the edit commands need it

    handler = YAML()  # round trip: keeps comments, order and quoting
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 4096
    return handler


def _yaml_group(group: WatchGroupConfig) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    entry = CommentedMap()
    entry["name"] = Quoted(group.name)
    entry["category"] = group.category
    for key in ("include", "aliases", "exclude"):
        terms = getattr(group, key)
        if terms:
            seq = CommentedSeq([Quoted(t) for t in terms])
            seq.fa.set_flow_style()
            entry[key] = seq
    if group.expression is not None:
        entry["expression"] = Quoted(group.expression)
    return entry


def _edit(file: Path, by: str, now: datetime, change: Any, routing_check: str | None = None) -> ChangeRecord:
    """Apply ``change(document) -> (action, name, before, after)``; validate; write; record."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    with _locked_audit(file) as audit:
        old_text = file.read_text(encoding="utf-8") if file.exists() else None
        if old_text is not None:
            _parse(file, old_text)  # refuse to edit a file that is already broken
        document = _round_trip().load(old_text) if old_text else None
        if document is None:
            document = CommentedMap()
        if document.get("watch_groups") is None:
            document["watch_groups"] = CommentedSeq()
        action, name, before, after = change(document["watch_groups"])
        buffer = io.StringIO()
        _round_trip().dump(document, buffer)
        new_text = buffer.getvalue()
        _parse(file, new_text)
        if routing_check is not None:
            _check_routing(file, routing_check)
        _write_atomically(file, new_text)
        record = ChangeRecord(
            at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            by=by,
            action=action,
            group=name,
            before=before,
            after=after,
            file=str(file),
            sha256_before=_sha256(old_text),
            sha256_after=_sha256(new_text),
        )
        _append(audit, [record])
        return record


def _write_atomically(file: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".watch_groups.", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if file.exists():
            os.chmod(temporary, file.stat().st_mode & 0o777)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_routing(file: Path, name: str) -> None:
    """Refuse to remove a group that ``routing.yaml`` still routes by name (any ``match.watch_groups``)."""
    routing = file.with_name("routing.yaml")
    try:
        data = yaml.safe_load(routing.read_text(encoding="utf-8")) if routing.exists() else None
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return  # check-config reports a broken routing file
    for key in _routes_naming(data, name, ""):
        raise ConfigError(
            [f"{routing}: {key}: still routes watch group {name!r}; take it out of routing.yaml first"]
        )


def _routes_naming(node: object, name: str, key: str) -> Iterator[str]:
    """Keys of every ``match.watch_groups`` list in a routing tree that names ``name``."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _routes_naming(item, name, f"{key}[{index}]")
    elif isinstance(node, dict):
        match = node.get("match")
        if isinstance(match, dict) and name in (match.get("watch_groups") or []):
            yield f"{key}.match.watch_groups".lstrip(".")
        for child, value in node.items():
            if child != "match":
                yield from _routes_naming(value, name, f"{key}.{child}".lstrip("."))


def add_group(
    file: Path, group: WatchGroupConfig, by: str, now: datetime, replace: bool = False
) -> ChangeRecord:
    """Add ``group`` (or, with ``replace``, put it in place of the group of the same name)."""

    def change(groups: Any) -> tuple[str, str, dict[str, Any] | None, dict[str, Any]]:
        names = [entry.get("name") for entry in groups]
        after = group_dict(group)
        if group.name in names:
            if not replace:
                raise ConfigError(
                    [
                        f"{file}: watch_groups: a group named {group.name!r} exists "
                        "(use --replace to change it)"
                    ]
                )
            position = names.index(group.name)
            before = group_dict(WatchGroupConfig.model_validate(dict(groups[position])))
            groups[position] = _yaml_group(group)
            return "replace", group.name, before, after
        groups.append(_yaml_group(group))
        return "add", group.name, None, after

    return _edit(file, by, now, change)


def remove_group(file: Path, name: str, by: str, now: datetime) -> ChangeRecord:
    def change(groups: Any) -> tuple[str, str, dict[str, Any], None]:
        names = [entry.get("name") for entry in groups]
        if name not in names:
            raise UnknownNameError(f"no watch group {name!r} in {file}")
        position = names.index(name)
        before = group_dict(WatchGroupConfig.model_validate(dict(groups[position])))
        del groups[position]
        return "remove", name, before, None

    return _edit(file, by, now, change, routing_check=name)


# --- reloading without a restart ---------------------------------------------------------------


class WatchGroupsReloader:
    """The current :class:`WatchMatcher`, rebuilt when ``watch_groups.yaml`` changes.

    :meth:`current` costs one ``stat`` when nothing changed. An invalid new version is logged
    (each problem with file and key) and the last good matcher is kept. A valid change made by hand
    is recorded in the audit log (``by: "(edited in the file)"``) unless a ``monitor watch`` command
    recorded it already.
    """

    def __init__(
        self, path: Path, groups: Sequence[WatchGroupConfig] | None = None, record_hand_edits: bool = True
    ) -> None:
        self.path = path
        self.problems: list[str] = []  # of the newest version, when it was rejected
        self._record = record_hand_edits
        self._signature = self._stat()
        text = self._read()
        self._sha = _sha256(text)
        self._matcher = WatchMatcher(groups if groups is not None else _parse(path, text or ""))

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            status = self.path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size, status.st_ino

    def _read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def current(self, now: datetime | None = None) -> WatchMatcher:
        signature = self._stat()
        if signature == self._signature:
            return self._matcher
        self._signature = signature
        text = self._read()
        try:
            if text is None:
                raise ConfigError([f"{self.path}: cannot read the watch groups file"])
            groups = _parse(self.path, text)
        except ConfigError as exc:
            self.problems = exc.problems
            for problem in exc.problems:
                log.error(
                    "watch groups not reloaded, keeping the last good version: %s",
                    problem,
                    extra={"file": str(self.path), "problem": problem},
                )
            return self._matcher
        previous = self._matcher.groups
        self._matcher = WatchMatcher(groups)
        self.problems = []
        log.info("watch groups reloaded: %d groups", len(groups), extra={"file": str(self.path)})
        if self._record:
            self._record_hand_edit(previous, groups, text, now or datetime.now(UTC))
        self._sha = _sha256(text)
        return self._matcher

    def _record_hand_edit(
        self, previous: list[WatchGroupConfig], groups: list[WatchGroupConfig], text: str, now: datetime
    ) -> None:
        sha = _sha256(text)
        records = read_audit(self.path)
        if records and records[-1].sha256_after == sha:
            return  # a monitor watch command wrote this version and recorded it
        before = {g.name: group_dict(g) for g in previous}
        after = {g.name: group_dict(g) for g in groups}
        changes = [
            ChangeRecord(
                at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                by=HAND_EDIT,
                action="edit",
                group=name,
                before=before.get(name),
                after=after.get(name),
                file=str(self.path),
                sha256_before=self._sha,
                sha256_after=sha,
            )
            for name in [*before, *(n for n in after if n not in before)]
            if before.get(name) != after.get(name)
        ]
        try:
            with _locked_audit(self.path) as audit:
                _append(audit, changes)
        except OSError as exc:
            log.warning(
                "cannot record a hand edit of the watch groups: %s", exc, extra={"file": str(self.path)}
            )
