"""What ``monitor watch add|backtest`` are given: the group(s) from options or ``--file``, and the
options' own types (``--days``, ``--now``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from monitor.config.files import WatchGroupConfig, not_a_group
from monitor.config.problems import validation_problems
from monitor.config.yaml_lines import Key, YamlLines, key_text
from monitor.enrich.category import CATEGORIES
from monitor.errors import ConfigError
from monitor.yaml_errors import not_utf8, yaml_problem


def group_options(parser: argparse.ArgumentParser, name_required: bool) -> None:
    parser.add_argument("name", nargs=None if name_required else "?", help="the group's name")
    parser.add_argument("--include", action="append", default=[], metavar="TERM", help="repeatable")
    parser.add_argument("--alias", action="append", default=[], metavar="TERM", help="repeatable")
    parser.add_argument("--exclude", action="append", default=[], metavar="WORD", help="repeatable")
    parser.add_argument("--expression", default=None, help="e.g. '途乐 AND (退款 OR 投诉) AND NOT 招聘'")
    parser.add_argument(
        "--category",
        choices=CATEGORIES,
        default=None,
        help="complaint category (default: other; with --replace, the group's own)",
    )
    parser.add_argument("--file", type=Path, default=None, help="read the group(s) from a YAML file instead")


def utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def days(value: str) -> int:
    """``--days``: a whole number of days, at least 1."""
    return _at_least_one(value, "days")


def count(value: str) -> int:
    """``--last``: how many, at least 1."""
    return _at_least_one(value, "entries")


def _at_least_one(value: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of {what}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} {what}: give at least 1")
    return number


def _file_groups(file: Path, data: Any) -> list[WatchGroupConfig]:
    """The groups of a ``--file``: one group, a ``watch_groups:`` list, or a bare list of groups;
    a problem is said at its key and line in the file."""
    base: Key | None = None
    if isinstance(data, dict) and "watch_groups" in data:
        items, base = data["watch_groups"], ("watch_groups",)
    elif isinstance(data, list):
        items, base = data, ()
    else:
        items = [] if data is None else [data]
    if isinstance(items, dict):  # `watch_groups:` over one group written without its dash
        raise ConfigError([f"{file}: watch_groups: must be a list of groups, each starting with '- '"])
    if not items:
        raise ConfigError([f"{file}: no watch group in the file"])
    where = YamlLines.of(file).line
    groups: list[WatchGroupConfig] = []
    for index, item in enumerate(items):
        key: Key = () if base is None else (*base, index)
        if (problem := not_a_group(item)) is not None:
            line = where(key) if key else None
            raise ConfigError([f"{file}: {key_text(key)}: {problem}" + (f" (line {line})" if line else "")])
        try:
            groups.append(WatchGroupConfig.model_validate(item))
        except ValidationError as exc:
            problems = validation_problems(file, exc, partial(_line_in, where, key))
            raise ConfigError([_at(problem, file, key) for problem in problems]) from None
    return groups


def _line_in(where: Callable[[Key], int | None], key: Key, inner: Key) -> int | None:
    line: int | None = where((*key, *inner))
    return line


def _at(problem: str, file: Path, key: Key) -> str:
    """A group's problem said at the group's own key in the file (``watch_groups[1].include``)."""
    if not key:
        return problem
    whole = f"{file}: (top level)"
    if problem.startswith(whole):  # a check of the whole group
        return problem.replace(whole, f"{file}: {key_text(key)}", 1)
    return problem.replace(f"{file}: ", f"{file}: {key_text(key)}.", 1)


def proposed_groups(args: argparse.Namespace) -> list[WatchGroupConfig]:
    """The group(s) given as options or in ``--file`` (one group, or a ``watch_groups`` list)."""
    if args.file is not None:
        try:
            data: Any = yaml.safe_load(args.file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError([yaml_problem(args.file, exc)]) from None
        except UnicodeDecodeError as exc:
            raise ConfigError([not_utf8(args.file, exc)]) from None
        except OSError as exc:
            raise ConfigError([f"{args.file}: cannot read: {exc.strerror or exc}"]) from None
        return _file_groups(args.file, data)
    if not args.name:
        raise ConfigError(["watch: give the group's name and terms, or --file FILE"])
    if not args.include and not args.alias and args.expression is None:  # was: '(top level): a watch group…'
        raise ConfigError(
            [
                f"watch {args.watch_command}: give {args.name!r} its terms: --include TERM (repeatable), "
                "--alias TERM or --expression EXPRESSION (`monitor watch list` shows the current ones)"
            ]
        )
    fields = {
        "name": args.name,
        "category": args.category or "other",
        "include": args.include,
        "aliases": args.alias,
        "exclude": args.exclude,
        "expression": args.expression,
    }
    try:
        return [WatchGroupConfig.model_validate(fields)]
    except ValidationError as exc:
        raise ConfigError(validation_problems(Path("watch " + args.watch_command), exc)) from None
