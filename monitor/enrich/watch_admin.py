"""Services behind ``monitor watch``: edit ``watch_groups.yaml`` safely, record every change, and
reload the groups without a restart (the backtest is in :mod:`monitor.enrich.watch_backtest`).

- Edits keep the file's comments, order, indentation and quoting, and write every new name and
  term double-quoted (so ``no``, ``on`` or ``8848`` stay text for the YAML 1.1 reader; see
  :mod:`monitor.enrich.watch_yaml`); groups an edit does not touch keep their bytes. The whole new
  file is validated before it is written, atomically (a temporary file renamed over the old one):
  a rejected edit leaves the file as it was.
- Every change appends one JSON line to ``watch_groups.audit.jsonl`` next to the file
  (:mod:`monitor.enrich.watch_audit`): when (UTC), who, what (the group before and after) and the
  file's SHA-256 before and after. Edits made in the file by hand are recorded by
  :class:`WatchGroupsReloader` when it picks them up — once, as ``add``, ``edit`` or ``remove``
  against the last recorded version; a version written by ``monitor watch`` is recognised by its
  recorded ``sha256_after`` and not recorded again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import getpass
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from monitor.config.atomic_write import write_atomically
from monitor.config.files import WatchGroupConfig, WatchGroupsFile
from monitor.config.loader import MonitorConfig, config_directory
from monitor.config.problems import not_a_mapping, validation_problems
from monitor.config.routing_refs import refuse_if_routed, unrouted_groups
from monitor.detect.velocity import counted
from monitor.enrich import watch_yaml
from monitor.enrich.keywords import WatchMatcher
from monitor.enrich.text import normalise
from monitor.enrich.watch_audit import (
    ChangeRecord,
    Version,
    append_records,
    hand_edits,
    locked_audit,
    read_audit,
    sha256_text,
    timestamp,
)
from monitor.errors import ConfigError, UnknownNameError
from monitor.yaml_errors import not_utf8, yaml_problem

log = logging.getLogger(__name__)

WATCH_FILE = "watch_groups.yaml"


def watch_file(config: Path | None, environ: Mapping[str, str]) -> Path:
    """``watch_groups.yaml`` in the config directory (``--config``, ``$MONITOR_CONFIG``, ``./config``);
    :class:`ConfigError` when that is no config directory (a mistyped ``--config`` must not make one)."""
    return config_directory(config, environ) / WATCH_FILE


def check_additions(file: Path, groups: list[WatchGroupConfig], *, replace: bool) -> None:
    """Refuse a batch of groups (``watch add --file``) that could not all be added, before any is:
    a name twice in the batch, a name taken (without ``replace``), or a file that would not validate."""
    current = load_watch_groups(file) if file.exists() else []
    names = [group.name for group in groups]
    problems = [
        f"{file}: watch_groups: the groups to add name {name!r} twice"
        for name in dict.fromkeys(names)
        if names.count(name) > 1
    ]
    taken = {group.name for group in current}
    if not replace:
        problems += [
            f"{file}: watch_groups: a group named {name!r} exists (use --replace to change it)"
            for name in dict.fromkeys(names)
            if name in taken
        ]
    if problems:
        raise ConfigError([*problems, "nothing was added"])
    given = {group.name: group for group in groups}
    after = [given.pop(group.name, group) for group in current] + list(given.values())
    try:
        WatchGroupsFile.model_validate({"watch_groups": [group_dict(group) for group in after]})
    except ValidationError as exc:
        raise ConfigError([*validation_problems(file, exc, lambda key: None), "nothing was added"]) from None


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def _parse(file: Path, text: str) -> list[WatchGroupConfig]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([yaml_problem(file, exc)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([not_a_mapping(file, data, list(WatchGroupsFile.model_fields))])
    try:
        return WatchGroupsFile.model_validate(data).watch_groups
    except ValidationError as exc:
        raise ConfigError(validation_problems(file, exc)) from None


def load_watch_groups(file: Path) -> list[WatchGroupConfig]:
    """Read and validate a watch-groups file; :class:`ConfigError` lists every problem (file: key)."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([not_utf8(file, exc)]) from None
    except OSError as exc:
        raise ConfigError([f"{file}: cannot read: {exc}"]) from None
    return _parse(file, text)


def group_dict(group: WatchGroupConfig) -> dict[str, Any]:
    """A group as it is written in the file: only the keys that are set."""
    return {"name": group.name, "category": group.category} | group.model_dump(
        exclude_defaults=True, exclude={"name", "category"}
    )


# --- editing the file --------------------------------------------------------------------------


# a change: (the file's ``watch_groups`` sequence to edit, the groups as the service reads them)
# -> (action, group name, the group before, the group after)
Change = Callable[
    [Any, list[WatchGroupConfig]], tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
]


def _edit(
    file: Path, by: str, now: datetime, change: Change, routing_check: str | None = None
) -> ChangeRecord:
    """Apply ``change``; validate the new file; write it; record the change."""
    with locked_audit(file) as audit:
        old_text = file.read_text(encoding="utf-8") if file.exists() else None
        # refuse to edit a file that is already broken; names and the groups recorded as "before"
        # are the ones the service reads (YAML 1.1), not ruamel's reading of the same text
        current = _parse(file, old_text) if old_text is not None else []
        handler, document = watch_yaml.load(old_text or "")
        action, name, before, after = change(document["watch_groups"], current)
        new_text = watch_yaml.dump(handler, document)
        _parse(file, new_text)
        if routing_check is not None:
            _check_routing(file, routing_check)
        write_atomically(file, new_text)
        record = ChangeRecord(
            at=timestamp(now),
            by=by,
            action=action,
            group=name,
            before=before,
            after=after,
            file=str(file),
            sha256_before=sha256_text(old_text),
            sha256_after=sha256_text(new_text),
        )
        append_records(audit, [record])
        return record


def _check_routing(file: Path, name: str) -> None:
    """Refuse to remove a group that ``routing.yaml`` still routes by name (any ``match.watch_groups``)."""
    refuse_if_routed(
        file, f"watch group {name!r}", lambda field, value: field == "watch_groups" and value == name
    )


def add_group(
    file: Path, group: WatchGroupConfig, by: str, now: datetime, replace: bool = False
) -> ChangeRecord:
    """Add ``group`` (or, with ``replace``, put it in place of the group of the same name)."""

    def change(
        entries: Any, current: list[WatchGroupConfig]
    ) -> tuple[str, str, dict[str, Any] | None, dict[str, Any]]:
        names = [g.name for g in current]
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
            watch_yaml.update_entry(entries[position], group)
            return "replace", group.name, group_dict(current[position]), after
        entries.append(watch_yaml.new_entry(group))
        return "add", group.name, None, after

    return _edit(file, by, now, change)


def _suggestion(name: str, names: list[str]) -> str:
    """``; did you mean '途乐旅行'?``: the group whose name folds like ``name`` (traditional
    characters, full-width, case), else a close one, else the groups there are."""
    same = [known for known in names if normalise(known) == normalise(name)]
    near = same or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if near:
        return f"; did you mean {near[0]!r}?"
    return f" (the groups: {', '.join(names)})" if names else " (it has no groups)"


def remove_group(file: Path, name: str, by: str, now: datetime) -> ChangeRecord:
    def change(entries: Any, current: list[WatchGroupConfig]) -> tuple[str, str, dict[str, Any], None]:
        names = [g.name for g in current]
        if name not in names:
            raise UnknownNameError(f"no watch group {name!r} in {file}{_suggestion(name, names)}")
        position = names.index(name)
        del entries[position]
        return "remove", name, group_dict(current[position]), None

    return _edit(file, by, now, change, routing_check=name)


# --- reloading without a restart ---------------------------------------------------------------


class WatchGroupsReloader:
    """The current :class:`WatchMatcher`, rebuilt when ``watch_groups.yaml`` changes.

    :meth:`current` costs one ``stat`` when nothing changed. An invalid new version is logged
    (each problem with file and key) and the last good matcher is kept. A valid change made by hand
    is recorded in the audit log (``by: "(edited in the file)"``), one record per changed group
    against the last recorded version; what a ``monitor watch`` command recorded is not recorded
    again (see :func:`monitor.enrich.watch_audit.hand_edits`). A new version is read while holding
    the audit log's lock, so it is never half of a command's edit.
    """

    def __init__(
        self, path: Path, groups: Sequence[WatchGroupConfig] | None = None, record_hand_edits: bool = True
    ) -> None:
        self.path = path
        self.problems: list[str] = []  # of the newest version, when it was rejected
        self._record = record_hand_edits
        self._signature = self._stat()
        text = self._read()
        self._sha = sha256_text(text)
        self._matcher = WatchMatcher(groups if groups is not None else _parse(path, text or ""))
        self._audited = len(read_audit(path)) if record_hand_edits else 0  # records accounted for
        self._config_now: tuple[WatchMatcher, MonitorConfig, MonitorConfig] | None = None

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
        with contextlib.ExitStack() as stack:
            audit = self._lock_audit(stack)
            text = self._read()
            try:
                if text is None:
                    raise ConfigError([f"{self.path}: cannot read the watch groups file"])
                groups = _parse(self.path, text)
                gone = unrouted_groups(self.path, {group.name for group in groups})
                if gone:  # a routed group renamed or removed by hand: its route would stop firing
                    raise ConfigError(gone)
            except ConfigError as exc:
                self.problems = exc.problems
                for problem in exc.problems:
                    log.error(  # the problem names the file: said once, not again as a detail
                        "watch groups not reloaded, keeping the last good version: %s", problem
                    )
                return self._matcher
            if audit is not None:
                # An edit is dated when the file was saved, not when the service noticed it.
                saved = datetime.fromtimestamp(signature[0] / 1e9, UTC) if signature else None
                at = now or datetime.now(UTC)
                self._record_hand_edits(audit, groups, text, min(at, saved) if saved else at)
            self._matcher = WatchMatcher(groups)
            self._sha = sha256_text(text)
            self.problems = []
        log.info(
            "watch groups reloaded: %s",
            counted(len(groups), "group", "groups"),
            extra={"file": str(self.path)},
        )
        return self._matcher

    def config_now(self, config: MonitorConfig, now: datetime | None = None) -> MonitorConfig:
        """``config`` with the watch groups as they are now: routing by a group's category, and the
        groups a thread names, follow an edit made while the service runs, as matching does."""
        matcher = self.current(now)
        known = self._config_now
        if known is None or known[0] is not matcher or known[1] is not config:
            known = (matcher, config, dataclasses.replace(config, watch_groups=matcher.groups))
            self._config_now = known
        return known[2]

    def _lock_audit(self, stack: contextlib.ExitStack) -> TextIO | None:
        """The audit log, locked until ``stack`` closes; None when hand edits are not recorded."""
        if not self._record:
            return None
        try:
            return stack.enter_context(locked_audit(self.path))
        except OSError as exc:
            self._cannot_record(exc)
            return None

    def _record_hand_edits(
        self, audit: TextIO, groups: list[WatchGroupConfig], text: str, now: datetime
    ) -> None:
        records = read_audit(self.path)
        if len(records) < self._audited:  # the log was rotated: every record in it is new
            self._audited = 0
        known = Version(self._sha, {g.name: group_dict(g) for g in self._matcher.groups})
        new = Version(sha256_text(text), {g.name: group_dict(g) for g in groups})
        changes = hand_edits(known, records[self._audited :], new, now, self.path)
        try:
            append_records(audit, changes)
        except OSError as exc:
            self._cannot_record(exc)
        self._audited = len(records) + len(changes)

    def _cannot_record(self, exc: OSError) -> None:
        log.warning("cannot record a hand edit of the watch groups: %s", exc, extra={"file": str(self.path)})
