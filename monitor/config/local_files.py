"""What ``monitor check-config`` asks of the machine: can the service write where it keeps its files?

A data directory that is a file, or a folder the service's user may not write, had passed
check-config and then stopped ``monitor run`` at its first write. :func:`local_file_problems`
says it beforehand, one line each, for ``general.data_dir`` and for a SQLite database's file
(which may live elsewhere, given by ``database.url``). A folder that does not exist yet is fine
when the nearest one that does is writable: the service makes it.

:func:`placeholder_sources` names the sources still pointing at the example's reserved host
(``bbs.example.com``, RFC 2606), copied from ``monitor init`` and never changed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from monitor.config.files import SourceConfig
from monitor.config.settings import Settings

_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")


def local_file_problems(settings: Settings, toml: Path, environ: Mapping[str, str]) -> list[str]:
    """``file: key: message`` for each place the service could not write."""
    problems: list[str] = []
    data_dir = settings.general.data_dir
    said = _folder_problem(data_dir)
    if said:
        problems.append(
            f"{toml}: {_key('general.data_dir', 'MONITOR_DATA_DIR', environ)}: {_shown(data_dir)}: {said}"
        )
    database = _sqlite_file(settings.database_url())
    if database is not None and not _within(database, data_dir):
        said = _folder_problem(database.parent)
        if said:
            key = _key("database.url", "MONITOR_DATABASE_URL", environ)
            problems.append(f"{toml}: {key}: the SQLite file's folder {_shown(database.parent)}: {said}")
    if database is not None and not problems:
        said = _file_problem(database)
        if said:
            problems.append(f"{toml}: the database file {_shown(database)}: {said}")
    return problems


def _shown(path: Path) -> str:
    """A relative path is read from where the command runs: say where that is."""
    return str(path) if path.is_absolute() else f"{path} (here: {path.absolute()})"


def _key(key: str, variable: str, environ: Mapping[str, str]) -> str:
    return f"{key} (from ${variable})" if environ.get(variable) else key


def placeholder_sources(sources: list[SourceConfig]) -> list[str]:
    """One warning per enabled source whose forum is at the example's reserved host."""
    said: list[str] = []
    for source in sources:
        host = (source.base_url.host or "").lower()
        if source.enabled and any(host == d or host.endswith("." + d) for d in _RESERVED_DOMAINS):
            said.append(
                f"source {source.key}: {source.base_url} is the example's placeholder (a reserved "
                "domain no forum answers on): put your forum's address in sources.yaml, or "
                "`monitor sources remove " + source.key + "`"
            )
    return said


def _folder_problem(folder: Path) -> str:
    if folder.exists():
        if not folder.is_dir():
            return "is a file where a folder is needed"
        if not os.access(folder, os.W_OK | os.X_OK):
            return "the service cannot write in this folder (check its owner and permissions)"
        return ""
    parent = _nearest_existing(folder)
    if parent is None:
        return ""
    if not parent.is_dir():
        return f"cannot be made: {parent} is a file"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"does not exist, and cannot be made in {parent} (check its owner and permissions)"
    return ""


def _file_problem(path: Path) -> str:
    if path.is_dir():
        return "is a folder where the database file is needed"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the service cannot read and write this file (check its owner and permissions)"
    return ""


def _nearest_existing(folder: Path) -> Path | None:
    for candidate in folder.absolute().parents:
        if candidate.exists():
            return candidate
    return None


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _within(path: Path, folder: Path) -> bool:
    return path.absolute().parent == folder.absolute()
