"""Config files edited under a running service: said in the log, never silently ignored.

``watch_groups.yaml`` is reloaded while the service runs (monitor.enrich.watch_admin); the other
files — ``monitor.toml``, ``sources.yaml``, ``routing.yaml``, ``playbooks.yaml`` — are read at
start only. :class:`ConfigWatch` notices when one of them changes on disk (its contents: a file
touched, or put back as it was, is not a change) and checks the directory again: a valid edit is
logged as a warning that a restart applies it, an invalid one as an error naming each problem
(the service keeps running on the config it started with, but the next start would refuse it).
Each change is said once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config.loader import load_config
from monitor.errors import ConfigError

log = logging.getLogger(__name__)

READ_AT_START = ("monitor.toml", "sources.yaml", "routing.yaml", "playbooks.yaml")
WATCH_GROUPS = "watch_groups.yaml"  # reloaded while the service runs: its reloader says its problems

Signature = str | None  # the SHA-256 of the file's bytes; None: no such file (or unreadable)


def _signature(path: Path) -> Signature:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class ConfigWatch:
    directory: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    seen: dict[str, Signature] = field(default_factory=dict)  # at the last check
    started: dict[str, Signature] = field(default_factory=dict)  # what the service started with
    invalid: bool = False  # the last check found the config on disk invalid

    def __post_init__(self) -> None:
        self.seen = {name: _signature(self.directory / name) for name in READ_AT_START}
        self.started = dict(self.seen)

    def check(self) -> list[str]:
        """The files changed since the last check (logged as said above); [] when none did.

        What is said is measured against what the service started with, not the last check: the
        files a restart would apply, and whether the config on disk is valid — so a file put back as
        it was is not named, and a fixed problem is said to be fixed. Watch groups are left out of
        the check: their own reloader says their problems, and they apply without a restart."""
        now = {name: _signature(self.directory / name) for name in READ_AT_START}
        changed = [name for name in READ_AT_START if now[name] != self.seen[name]]
        self.seen = now
        if not changed:
            return []
        differs = [name for name in READ_AT_START if now[name] != self.started[name]]
        files = ", ".join(differs)
        where = {"config": str(self.directory)}
        groups_too = ""
        try:
            load_config(self.directory, environ=self.environ)
        except ConfigError as exc:
            groups = f"{self.directory / WATCH_GROUPS}:"
            problems = [problem for problem in exc.problems if not problem.startswith(groups)]
            if len(problems) < len(exc.problems):
                groups_too = f" ({WATCH_GROUPS} has problems of its own, said by its reloader)"
            if problems:
                log.error(
                    "the config on disk is invalid%s; the running service keeps the config it started "
                    "with, but the next start will refuse it: %s",
                    f" ({files} changed since the start)" if differs else "",
                    "; ".join(problems),
                    extra=where,
                )
                self.invalid = True
                return changed
        again = f"the files read at start are valid again{groups_too}; " if self.invalid else ""
        self.invalid = False
        if differs:
            log.warning(
                "%s%s changed on disk since the start: restart monitor run to apply it (only "
                "watch_groups.yaml is reloaded while it runs)",
                again,
                files,
                extra=where,
            )
        else:
            log.warning(
                "%s%s back as the service started with: nothing to apply",
                again,
                ", ".join(changed),
                extra=where,
            )
        return changed
