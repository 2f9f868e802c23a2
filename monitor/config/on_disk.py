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
    seen: dict[str, Signature] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.seen = {name: _signature(self.directory / name) for name in READ_AT_START}

    def check(self) -> list[str]:
        """The files changed since the last check (logged as said above); [] when none did."""
        now = {name: _signature(self.directory / name) for name in READ_AT_START}
        changed = [name for name in READ_AT_START if now[name] != self.seen[name]]
        self.seen = now
        if not changed:
            return []
        files = ", ".join(changed)
        try:
            load_config(self.directory, environ=self.environ)
        except ConfigError as exc:
            log.error(
                "%s changed on disk and the config is now invalid; the running service keeps the config it "
                "started with, but the next start will refuse it: %s",
                files,
                "; ".join(exc.problems),
                extra={"config": str(self.directory)},
            )
        else:
            log.warning(
                "%s changed on disk: restart monitor run to apply it (only watch_groups.yaml is reloaded "
                "while it runs)",
                files,
                extra={"config": str(self.directory)},
            )
        return changed
