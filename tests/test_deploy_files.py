"""The files in deploy/ name commands and flags the CLI really has, and keep secrets out.

Fixtures: deploy/*.service, deploy/compose*.yaml and deploy/Dockerfile themselves (no Docker
engine or systemd is needed: they are read as text and their commands parsed by the CLI's parser).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.cli import _parser
from monitor.enrich.watch_audit import AUDIT_FILE
from monitor.scheduling import STOP_GRACE_SECONDS

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
COMPOSE = sorted(DEPLOY.glob("compose*.yaml"))
BINARY = "/opt/monitor/venv/bin/monitor"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN", re.IGNORECASE)


def _unit(path: Path) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def _parses(argv: list[str]) -> None:
    try:
        _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: unknown command or flag
        pytest.fail(f"`monitor {shlex.join(argv)}` is not a command the CLI has (exit {exc.code})")


def _compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = {}
    for path in COMPOSE:
        for name, service in yaml.safe_load(path.read_text(encoding="utf-8"))["services"].items():
            services.setdefault(name, {}).update(service)
    return services


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)(m|s)", duration)
    assert match, duration
    return int(match[1]) * (60 if match[2] == "m" else 1)


def test_there_are_deploy_files_to_check() -> None:
    assert {p.name for p in UNITS} == {"monitor.service", "monitor-web.service", "monitor-worker.service"}
    assert {p.name for p in COMPOSE} == {"compose.yaml", "compose.workers.yaml"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_a_units_commands_are_real_cli_commands(unit: Path) -> None:
    keys = _unit(unit)
    commands = keys.get("ExecStartPre", []) + keys["ExecStart"]
    for command in commands:
        binary, *argv = shlex.split(command)
        assert binary == BINARY, command
        _parses(argv)


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_a_unit_keeps_secrets_in_its_environment_file(unit: Path) -> None:
    keys = _unit(unit)
    for assignment in keys.get("Environment", []):
        assert not SECRET_NAME.search(assignment.partition("=")[0]), assignment
    assert keys["EnvironmentFile"] == ["-/etc/monitor/env"]
    assert keys["User"] == ["monitor"] and keys["StateDirectory"] == ["monitor"]


@pytest.mark.parametrize("name", ["monitor.service", "monitor-worker.service"])
def test_a_unit_that_reloads_watch_groups_may_record_hand_edits_in_the_audit_log(name: str) -> None:
    # ProtectSystem=strict makes /etc/monitor read-only: without this the running service logs
    # "cannot record a hand edit of the watch groups: Read-only file system" at each hand edit.
    keys = _unit(DEPLOY / name)
    [config] = [a.partition("=")[2] for a in keys["Environment"] if a.startswith("MONITOR_CONFIG=")]
    assert keys["ProtectSystem"] == ["strict"]
    assert f"-{config}/{AUDIT_FILE}" in keys.get("ReadWritePaths", []), keys.get("ReadWritePaths")


def test_monitor_run_has_time_to_stop_before_systemd_kills_it() -> None:
    timeout = float(_unit(DEPLOY / "monitor.service").get("TimeoutStopSec", ["90"])[0])  # 90: systemd's
    assert timeout > STOP_GRACE_SECONDS + 10


def test_the_images_default_command_is_a_real_cli_command() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.+)$", text, re.MULTILINE)[1])  # type: ignore[index]
    command = json.loads(re.search(r"^CMD (.+)$", text, re.MULTILINE)[1])  # type: ignore[index]
    assert entrypoint == ["monitor"]
    _parses(command)


def _sent_to_the_builder(path: str, patterns: list[str]) -> bool:
    """Whether Docker's ignore rules keep ``path``: the last pattern matching it or a parent decides."""
    parts = path.split("/")
    kept = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = re.escape(pattern.lstrip("!").strip("/")).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if any(re.fullmatch(glob, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            kept = negated
    return kept


def test_the_build_context_sends_what_the_dockerfile_copies_and_no_secrets() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in ignore if line.strip() and not line.startswith("#")]
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copied = [src for line in re.findall(r"^COPY (.+)$", text, re.MULTILINE) for src in line.split()[:-1]]
    assert copied == ["pyproject.toml", "README.md", "monitor"]
    root = DEPLOY.parent
    package_files = ["monitor/cli.py", "monitor/store/migrations/env.py", "monitor/defaults/playbooks.yaml"]
    for source in [*copied, *package_files]:
        assert (root / source).exists() and _sent_to_the_builder(source, patterns), source
    for private in ["deploy/.env", "deploy/config/monitor.toml", ".git/config", ".venv/bin/python",
                    "monitor/__pycache__/cli.cpython-311.pyc", "tests/conftest.py"]:  # fmt: skip
        assert not _sent_to_the_builder(private, patterns), private


def test_compose_commands_are_real_cli_commands() -> None:
    for service in _compose_services().values():
        if "build" in service and "command" in service:
            _parses(service["command"])


def test_compose_web_listens_on_the_port_it_publishes_and_is_health_checked() -> None:
    web = _compose_services()["web"]
    command = web["command"]
    # Without --port the container's port followed web.listen_port in the mounted monitor.toml.
    assert "--port" in command, command
    port = command[command.index("--port") + 1]
    assert all(mapping.rsplit(":", 1)[1] == port for mapping in web["ports"]), web["ports"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(web["healthcheck"]["test"])


def test_every_compose_service_comes_back_after_a_reboot() -> None:
    # A database without a restart policy stays down after the host restarts, and the monitor
    # restarts forever on "cannot open database".
    for name, service in _compose_services().items():
        assert service.get("restart") == "unless-stopped", name


def test_compose_gives_jobs_time_to_end_at_a_stop() -> None:
    services = _compose_services()
    assert _seconds(services["monitor"]["stop_grace_period"]) > STOP_GRACE_SECONDS + 10
    assert services["worker"]["stop_signal"] == "SIGINT"


def test_compose_files_name_no_password_of_their_own() -> None:
    for path in COMPOSE:
        for name, service in yaml.safe_load(path.read_text(encoding="utf-8"))["services"].items():
            for key, value in (service.get("environment") or {}).items():
                if SECRET_NAME.search(key) or "postgresql" in str(value):
                    # a password comes from deploy/.env (interpolated), never written in the file
                    assert ":monitor@" not in str(value) and str(value) != "monitor", (path.name, name, key)
                    if SECRET_NAME.search(key):
                        assert str(value).startswith("${"), (path.name, name, key)
