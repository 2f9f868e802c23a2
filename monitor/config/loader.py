"""Load and validate every configuration file at once.

A config directory holds ``monitor.toml`` (service settings, optional),
``sources.yaml``, ``watch_groups.yaml``, ``routing.yaml`` and ``playbooks.yaml``
(optional: the shipped playbooks are used when absent). Every problem found is
collected and reported together, each as ``file: key: message``; nothing starts
on a config with any problem.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from monitor.alerting.playbooks import Playbook, default_playbooks_path, load_playbooks
from monitor.config.files import (
    RoutingFile,
    SourceConfig,
    SourcesFile,
    SpokespersonConfig,
    WatchGroupConfig,
    WatchGroupsFile,
)
from monitor.config.settings import Settings, apply_environment
from monitor.detect.severity import Severity
from monitor.errors import ConfigError, UnknownNameError

REQUIRED_FILES = ("sources.yaml", "watch_groups.yaml", "routing.yaml")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class MonitorConfig:
    """Everything the service needs, validated."""

    directory: Path
    settings: Settings
    sources: list[SourceConfig]
    watch_groups: list[WatchGroupConfig]
    routing: RoutingFile
    playbooks: dict[Severity, Playbook]
    smtp_password: str | None = None

    def spokesperson(self, key: str) -> SpokespersonConfig:
        for person in self.routing.spokespeople:
            if person.key == key:
                return person
        raise UnknownNameError(f"undefined spokesperson {key!r}")


def resolve_directory(path: Path | None, environ: Mapping[str, str]) -> Path:
    """``--config`` wins, then ``MONITOR_CONFIG``, then ``./config``."""
    if path is None:
        path = Path(environ.get("MONITOR_CONFIG", "config"))
    if path.is_file():
        path = path.parent
    return path


def load_config(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
) -> MonitorConfig:
    """Load the config directory; raise :class:`ConfigError` listing every problem."""
    env = dict(environ or {})
    directory = resolve_directory(path, env)
    if not directory.is_dir():
        raise ConfigError([f"{directory}: config directory not found (pass --config DIR)"])
    problems: list[str] = []

    settings = _load_settings(directory / "monitor.toml", env, overrides or {}, problems)
    sources = _load_yaml(directory / "sources.yaml", SourcesFile, problems)
    groups = _load_yaml(directory / "watch_groups.yaml", WatchGroupsFile, problems)
    routing = _load_yaml(directory / "routing.yaml", RoutingFile, problems)
    playbooks_file = directory / "playbooks.yaml"
    playbooks: dict[Severity, Playbook] = {}
    try:
        playbooks = load_playbooks(playbooks_file if playbooks_file.exists() else default_playbooks_path())
    except ConfigError as exc:
        problems.extend(exc.problems)

    if routing is not None:
        group_names = {g.name for g in groups.watch_groups} if groups is not None else None
        problems.extend(_check_routing(directory / "routing.yaml", routing, group_names))

    if problems or settings is None or sources is None or groups is None or routing is None:
        raise ConfigError(problems)

    password = env.get(settings.smtp.password_env) or None
    return MonitorConfig(
        directory=directory,
        settings=settings,
        sources=sources.sources,
        watch_groups=groups.watch_groups,
        routing=routing,
        playbooks=playbooks,
        smtp_password=password,
    )


def _load_settings(
    file: Path, environ: Mapping[str, str], overrides: Mapping[str, Mapping[str, object]], problems: list[str]
) -> Settings | None:
    raw: dict[str, Any] = {}
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: not valid TOML: {exc}")
            return None
    merged = apply_environment(raw, environ)
    for section, values in overrides.items():
        part = merged.setdefault(section, {})
        if isinstance(part, dict):
            part.update(values)
    return _validate(file, Settings, merged, problems)


def _load_yaml(file: Path, model: type[M], problems: list[str]) -> M | None:
    if not file.exists():
        problems.append(f"{file}: file not found")
        return None
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{file}: not valid YAML: {exc}")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(f"{file}: expected a mapping at the top level, got {type(data).__name__}")
        return None
    return _validate(file, model, data, problems)


def _validate(file: Path, model: type[M], data: object, problems: list[str]) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(f"{file}: {_key(error['loc'])}: {_message(error)}")
        return None


def _key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + part
    return key or "(top level)"


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (misspelt?)"
    if error["type"] == "missing":
        return "required key is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _check_routing(file: Path, routing: RoutingFile, group_names: set[str] | None) -> list[str]:
    problems: list[str] = []
    keys = [p.key for p in routing.spokespeople]
    for index, person in enumerate(routing.spokespeople):
        if keys.count(person.key) > 1 and keys.index(person.key) == index:
            problems.append(f"{file}: spokespeople[{index}].key: duplicate spokesperson {person.key!r}")
        if person.backup is not None and person.backup not in keys:
            problems.append(f"{file}: spokespeople[{index}].backup: undefined spokesperson {person.backup!r}")
    for index, route in enumerate(routing.routes):
        if route.spokesperson not in keys:
            problems.append(
                f"{file}: routes[{index}].spokesperson: undefined spokesperson {route.spokesperson!r} "
                f"used in route {index + 1}"
            )
        if group_names is not None:
            for name in route.match.watch_groups:
                if name not in group_names:
                    problems.append(
                        f"{file}: routes[{index}].match.watch_groups: undefined watch group {name!r}"
                    )
    last = routing.routes[-1].match
    if last.watch_groups or last.categories or last.min_severity != Severity.GENERAL:
        problems.append(
            f"{file}: routes[{len(routing.routes) - 1}].match: the last route must match every alert "
            "(no match conditions) so that no alert goes unrouted"
        )
    return problems
