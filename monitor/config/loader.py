"""Load and validate every configuration file at once.

A config directory holds ``monitor.toml`` (service settings, optional),
``sources.yaml``, ``watch_groups.yaml``, ``routing.yaml`` and ``playbooks.yaml``
(optional: the shipped playbooks are used when absent). Every problem found is
collected and reported together, each as ``file: key: message``; nothing starts
on a config with any problem.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from monitor.alerting.channels.base import ChannelTarget
from monitor.alerting.playbooks import Playbooks, default_playbooks_path, load_playbooks
from monitor.alerting.route_tree import RouteNode
from monitor.config.files import (
    RoutingFile,
    SourceConfig,
    SourcesFile,
    SpokespersonConfig,
    WatchGroupConfig,
    WatchGroupsFile,
)
from monitor.config.problems import not_a_mapping, validation_problems
from monitor.config.routing_checks import chat_targets as _chat_targets
from monitor.config.routing_checks import routing_problems as _check_routing
from monitor.config.settings import (
    ENVIRONMENT,
    DigestSettings,
    SentimentSettings,
    Settings,
    SmtpSettingsModel,
    WebSettings,
    apply_environment,
)
from monitor.config.toml_lines import TomlLines
from monitor.config.yaml_lines import Key
from monitor.errors import ConfigError, UnknownNameError
from monitor.log_format import use_format, use_zone
from monitor.yaml_errors import not_utf8, yaml_problem

REQUIRED_FILES = ("sources.yaml", "watch_groups.yaml", "routing.yaml")

M = TypeVar("M", bound=BaseModel)
S = TypeVar("S", bound=BaseModel)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonitorConfig:
    """Everything the service needs, validated."""

    directory: Path
    settings: Settings
    sources: list[SourceConfig]
    watch_groups: list[WatchGroupConfig]
    routing: RoutingFile
    playbooks: Playbooks
    smtp_password: str | None = None
    web_secret: str | None = None  # signs action links; set when web.base_url is
    chat_targets: dict[str, list[ChannelTarget]] = field(default_factory=dict)  # spokesperson -> channels

    def chat_target(self, ref: str) -> ChannelTarget:
        """The chat channel a delivery row names by its masked reference."""
        for targets in self.chat_targets.values():
            for target in targets:
                if target.ref == ref:
                    return target
        raise UnknownNameError(f"no chat channel {ref} in the configuration any more")

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


def config_directory(path: Path | None, environ: Mapping[str, str]) -> Path:
    """The config directory for a command that writes into it (``sources add``, ``watch add``):
    :class:`ConfigError` unless it exists, so a mistyped ``--config`` is said, not made into a new
    folder the service never reads."""
    directory = resolve_directory(path, environ)
    if not directory.is_dir():
        raise ConfigError([f"{directory}: {NOT_FOUND}"])
    if not any((directory / name).exists() for name in CONFIG_FILES):
        raise ConfigError(
            [
                f"{directory}: not a config directory — none of {', '.join(CONFIG_FILES)} is there "
                f"(make one with: monitor init {directory})"
            ]
        )
    return directory


NOT_FOUND = (
    "config directory not found (pass --config DIR or set $MONITOR_CONFIG; monitor init DIR makes one)"
)
CONFIG_FILES = ("monitor.toml", "sources.yaml", "watch_groups.yaml", "routing.yaml", "playbooks.yaml")


def load_config(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    *,
    links: bool = True,
    sends: bool = True,
    without_watch_groups: bool = False,
    without_routing: bool = False,
) -> MonitorConfig:
    """Load the config directory; raise :class:`ConfigError` listing every problem.

    ``links=False`` is for commands that never make a link (status, lists, watch-keyword edits,
    acknowledging from a terminal): the link-signing key is then not required, so ops can run them
    from a shell without it. ``sends=False``, for commands that never send a message: the SMTP
    password is not required either. ``without_watch_groups``: a ``watch_groups.yaml`` that does
    not load is logged and left out (no watch groups) instead of stopping the command, for those
    that do not use them — acting on an alert from a terminal must not wait for an ops typo.
    ``without_routing``: the same for a ``routing.yaml`` that does not load (no spokespeople, no
    routes, no chat channels), for the terminal's alert commands that route nothing.
    """
    env = dict(environ or {})
    directory = resolve_directory(path, env)
    if not directory.is_dir():
        raise ConfigError([f"{directory}: {NOT_FOUND}"])
    problems: list[str] = []

    settings, merged = _load_settings(directory / "monitor.toml", env, overrides or {}, problems)
    if settings is not None:  # every command's log lines in the team's time zone and format from here on
        use_zone(settings.general.timezone)
        use_format(settings.general.log_format)
    sources = _load_yaml(directory / "sources.yaml", SourcesFile, problems)
    group_problems: list[str] = []
    groups = _load_yaml(directory / "watch_groups.yaml", WatchGroupsFile, group_problems)
    if group_problems and without_watch_groups:
        for said in group_problems:
            log.warning("going on without the watch groups: %s", said)
        groups = WatchGroupsFile(watch_groups=[])
        group_names: set[str] | None = None  # routes naming watch groups are not checked against none
    else:
        problems.extend(group_problems)
        group_names = {g.name for g in groups.watch_groups} if groups is not None else None
    routing_problems: list[str] = []
    routing = _load_yaml(directory / "routing.yaml", RoutingFile, routing_problems)
    playbooks_file = directory / "playbooks.yaml"
    playbooks = Playbooks({}, {})
    try:
        playbooks = load_playbooks(playbooks_file if playbooks_file.exists() else default_playbooks_path())
    except ConfigError as exc:
        problems.extend(exc.problems)

    chat_targets: dict[str, list[ChannelTarget]] = {}
    if routing is not None:
        boards = {s.key: set(s.boards) for s in sources.sources} if sources is not None else None
        routing_problems.extend(_check_routing(directory / "routing.yaml", routing, group_names, boards))
        chat_targets = _chat_targets(directory / "routing.yaml", routing, env, routing_problems)
    if routing_problems and without_routing:
        for said in routing_problems:
            log.warning("going on without routing.yaml: %s", said)
        routing = RoutingFile.model_construct(spokespeople=[], leadership=[], route=RouteNode())
        chat_targets = {}
    else:
        problems.extend(routing_problems)

    # Cross-checks read one section each: from the settings, or when another section is invalid,
    # from their own section validated alone — a bad time zone does not hide an unknown recipient.
    toml = directory / "monitor.toml"
    web_secret: str | None = None
    sentiment = _section(settings, merged, "sentiment", SentimentSettings)
    if sentiment is not None:
        problems.extend(_check_sentiment_model(toml, sentiment.model))
    digest = _section(settings, merged, "digest", DigestSettings)
    if digest is not None and routing is not None and not (routing_problems and without_routing):
        problems.extend(_check_digest_recipients(toml, digest, routing))
    web = _section(settings, merged, "web", WebSettings)
    if web is not None:
        web_secret, problem = _web_secret(toml, web, env)
        if problem and links:
            problems.append(problem)
    smtp = _section(settings, merged, "smtp", SmtpSettingsModel)
    if smtp is not None and sends:
        problems.extend(_check_smtp_password(toml, smtp, env))

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
        web_secret=web_secret,
        chat_targets=chat_targets,
    )


MIN_WEB_SECRET_CHARS = 32


def _check_smtp_password(file: Path, smtp: SmtpSettingsModel, environ: Mapping[str, str]) -> list[str]:
    """An SMTP login without its password would fail at the first email, hours later: say so now."""
    if not smtp.enabled or not smtp.username or environ.get(smtp.password_env):
        return []
    return [
        f"{file}: smtp.username: logging in to {smtp.host} as {smtp.username!r} needs the password in "
        f"${smtp.password_env}, which is not set (export it; or empty smtp.username for a server "
        "that needs no login, or set smtp.enabled = false)"
    ]


def _check_digest_recipients(file: Path, digest: DigestSettings, routing: RoutingFile) -> list[str]:
    """Each digest recipient is an email address (validated with the section) or a spokesperson
    routing.yaml defines."""
    keys = {person.key for person in routing.spokespeople}
    return [
        f"{file}: digest.recipients: {name!r} is neither an email address nor a spokesperson key in "
        f"routing.yaml ({', '.join(sorted(keys)) or 'none defined'})"
        for name in digest.recipients
        if "@" not in name and name not in keys
    ]


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count} characters"


def _web_secret(file: Path, web: WebSettings, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The link-signing key, or the problem with it: links are never sent unsigned."""
    name = web.secret_env
    secret = environ.get(name, "")
    if not web.base_url:
        return (secret or None), None
    hint = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    if not secret:
        return None, (
            f"{file}: web.base_url: action links need a signing key in ${name}, which is not set ({hint})"
        )
    if len(secret) < MIN_WEB_SECRET_CHARS:
        return None, (
            f"{file}: web.secret_env: ${name} is {_characters(len(secret))}; a signing key needs at least "
            f"{MIN_WEB_SECRET_CHARS} ({hint})"
        )
    return secret, None


def _load_settings(
    file: Path, environ: Mapping[str, str], overrides: Mapping[str, Mapping[str, object]], problems: list[str]
) -> tuple[Settings | None, dict[str, object] | None]:
    """The settings (None when invalid) and the values they were read from (None: not valid TOML)."""
    raw: dict[str, Any] = {}
    if file.exists():
        try:  # utf-8-sig: a byte-order mark (Windows Notepad's "UTF-8 with BOM") is read past
            raw = tomllib.loads(file.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            problems.append(not_utf8(file, exc))
            return None, None
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{file}: not valid TOML: {exc}")
            return None, None
    merged = apply_environment(raw, environ)
    for section, values in overrides.items():
        part = merged.setdefault(section, {})
        if isinstance(part, dict):
            part.update(values)
    given = {key for variable, key in ENVIRONMENT.items() if environ.get(variable)}
    given |= {(section, key) for section, values in overrides.items() for key in values}
    lines = TomlLines.of(file, given).line if file.exists() else None
    variables = {key: variable for variable, key in ENVIRONMENT.items() if environ.get(variable)}

    def origin(key: Key) -> str | None:  # a value from the environment is not monitor.toml's to answer for
        variable = variables.get((str(key[0]), str(key[1]))) if len(key) >= 2 else None
        return f"${variable} (in the environment; it overrides monitor.toml)" if variable else None

    try:
        return Settings.model_validate(merged), merged
    except ValidationError as exc:
        problems.extend(validation_problems(file, exc, lines, origin))
        return None, merged


def _section(
    settings: Settings | None, merged: Mapping[str, object] | None, name: str, model: type[S]
) -> S | None:
    """Section ``name`` of the settings; when they are invalid, the section validated on its own
    (None if it is invalid too: its own errors are already listed)."""
    if settings is not None:
        section = getattr(settings, name)
        assert isinstance(section, model)
        return section
    if merged is None:
        return None
    try:
        return model.model_validate(merged.get(name, {}))
    except ValidationError:
        return None


def _load_yaml(file: Path, model: type[M], problems: list[str]) -> M | None:
    if not file.exists():
        problems.append(f"{file}: file not found")
        return None
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(yaml_problem(file, exc))
        return None
    except UnicodeDecodeError as exc:
        problems.append(not_utf8(file, exc))
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(not_a_mapping(file, data, list(model.model_fields)))
        return None
    try:
        return _validate(file, model, data, problems)
    except RecursionError:
        problems.append(f"{file}: a YAML anchor refers to itself (a cycle); write the structure out")
        return None


def _validate(
    file: Path,
    model: type[M],
    data: object,
    problems: list[str],
    lines: Callable[[Key], int | None] | None = None,
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(file, exc, lines))
        return None


def _check_sentiment_model(file: Path, model: str) -> list[str]:
    from monitor.enrich.sentiment_models import shipped_models

    if model == "stock" or model in shipped_models() or Path(model).is_file():
        return []
    names = ", ".join(["stock", *shipped_models()])
    return [
        f"{file}: sentiment.model: unknown sentiment model {model!r} (shipped: {names}; or a model file path)"
    ]
