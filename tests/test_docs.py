"""Docs that cannot drift: every command and environment variable is in the README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from monitor.cli import _parser
from monitor.config.settings import ENVIRONMENT

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "monitor") -> list[str]:
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix} {name}")
                found.extend(nested or [f"{prefix} {name}"])
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(_parser())
    assert "monitor db upgrade" in commands and "monitor demo" in commands
    for command in commands:
        assert f"`{command}" in README, f"{command} missing from README's command table"


def test_every_environment_variable_is_documented() -> None:
    for variable in ENVIRONMENT:
        assert variable in README


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command() -> None:
    blocks = re.findall(r"```sh\n(.+?)\n```", README)
    assert blocks[0].endswith("monitor demo")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci


def _parsers(parser: argparse.ArgumentParser, prefix: str = "monitor") -> dict[str, argparse.ArgumentParser]:
    found = {prefix: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _parsers(sub, f"{prefix} {name}")
    return found


def test_every_option_in_the_command_table_exists() -> None:
    """A README line a user copies must not fail on an option the command does not have."""
    parsers = _parsers(_parser())
    rows = re.findall(r"^\| `(monitor [^`]+)`", README, re.M)
    assert len(rows) > 20
    for row in rows:
        words = row.split()
        command = max((c for c in parsers if words[: len(c.split())] == c.split()), key=len)
        known = {option for action in parsers[command]._actions for option in action.option_strings}
        for option in re.findall(r"(?<![\w-])--[a-z][\w-]*", row):
            assert option in known, f"README shows `{row}`, but `{command}` has no {option}"
