"""Edit ``sources.yaml`` from the command line: add and remove sources, keeping comments and order.

The new document is validated before it is written, and written atomically, so a failed
edit never leaves a broken file behind.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelYAMLError

from monitor.config.atomic_write import write_atomically
from monitor.config.files import SourceConfig, SourcesFile
from monitor.config.problems import validation_problems
from monitor.config.routing_refs import refuse_if_routed
from monitor.errors import ConfigError, UnknownNameError
from monitor.yaml_errors import not_utf8, yaml_problem

_FID = re.compile(r"(?:[?&]fid=|\bforum-)(\d+)")


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps comments, order and quoting
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 120
    return yaml


def _load(file: Path) -> CommentedMap:
    """``sources.yaml`` as it is written (comments and all); :class:`ConfigError` on one line when
    it is not YAML or not UTF-8 (nothing is changed then)."""
    if not file.exists():
        return CommentedMap(sources=CommentedSeq())
    try:
        document = _yaml().load(file.read_text(encoding="utf-8")) or CommentedMap()
    except UnicodeDecodeError as exc:
        raise ConfigError([not_utf8(file, exc)]) from None
    except RuamelYAMLError as exc:
        raise ConfigError([yaml_problem(file, exc)]) from None
    if not isinstance(document, CommentedMap):
        raise ConfigError([f"{file}: expected a mapping at the top level"])
    if document.get("sources") is None:
        document["sources"] = CommentedSeq()
    return document


def _write_validated(file: Path, document: CommentedMap) -> None:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    text = buffer.getvalue()
    try:
        SourcesFile.model_validate(YAML(typ="safe").load(text) or {})
    except ValidationError as exc:
        raise ConfigError(validation_problems(file, exc)) from None
    file.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(file, text)


def check_editable(file: Path) -> None:
    """Raise :class:`ConfigError` now if ``sources.yaml`` could not be edited (before a forum is asked)."""
    _load(file)


def add_source(
    file: Path, *, key: str, name: str, engine: str, base_url: str, boards: list[str], **options: Any
) -> SourceConfig:
    """Append a source; refuse a duplicate key. Returns the validated entry."""
    document = _load(file)
    sources = document["sources"]
    if any(isinstance(s, dict) and s.get("key") == key for s in sources):
        raise ConfigError([f"{file}: sources: a source with key {key!r} already exists"])
    entry = CommentedMap(key=key, name=name, engine=engine, base_url=base_url)
    flow = CommentedSeq(boards)
    flow.fa.set_flow_style()
    entry["boards"] = flow
    entry.update({k: v for k, v in options.items() if v is not None})
    sources.append(entry)
    _write_validated(file, document)
    return SourceConfig.model_validate(dict(entry))


def remove_source(file: Path, key: str) -> None:
    """Take source ``key`` out of ``sources.yaml``; refused while a route names it (its key in
    ``match.sources``, ``key:board`` in ``match.boards``, or a bare board id in ``match.boards``
    that no other source has: the route would match nothing)."""
    document = _load(file)
    sources = document["sources"]
    mine: set[str] = set()
    others: set[str] = set()
    for source in sources:
        if isinstance(source, dict):
            boards = {str(board) for board in source.get("boards") or []}
            (mine if source.get("key") == key else others).update(boards)
    refuse_if_routed(
        file,
        f"source {key!r}",
        lambda field, value: (
            (field, value) == ("sources", key)
            or (field == "boards" and value.startswith(f"{key}:"))
            or (field == "boards" and value in mine - others)
        ),
    )
    for index, source in enumerate(sources):
        if isinstance(source, dict) and source.get("key") == key:
            del sources[index]
            _write_validated(file, document)
            return
    raise UnknownNameError(f"{file}: no source with key {key!r}")


def discover_boards(index_html: str) -> list[tuple[str, str]]:
    """Board ids and names linked from a Discuz! forum index (plain or rewritten URLs)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(index_html, "lxml")
    found: dict[str, str] = {}
    for link in soup.find_all("a", href=True):
        match = _FID.search(str(link["href"]))
        name = link.get_text(strip=True)
        if match and name and not name.isdigit():
            found.setdefault(match.group(1), name)
    return sorted(found.items(), key=lambda item: int(item[0]))


def slug(name: str, url: str) -> str:
    """A key for a new source: the host name, made safe."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or name
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "source"
