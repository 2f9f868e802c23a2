"""``monitor init DIR``: a config directory to start from, for an install without the project's
``config/`` folder (``pip install``, the Docker image): the same five files, to be edited.

``monitor.toml`` is written from the settings themselves (every setting, its default and meaning),
``playbooks.yaml`` is the shipped default, and ``sources.yaml``, ``watch_groups.yaml`` and
``routing.yaml`` are the project's examples (a placeholder forum and spokespeople), kept in the
package (``monitor/defaults/example/``; a test keeps them equal to ``config/``). Nothing is
overwritten: a folder already holding any config file is refused.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from monitor.alerting.playbooks import default_playbooks_path
from monitor.config.loader import CONFIG_FILES
from monitor.config.reference import settings_reference
from monitor.errors import ConfigError

EXAMPLES = ("sources.yaml", "watch_groups.yaml", "routing.yaml")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser(
        "init", help="write a config directory to start from (the five files, with examples), then edit it"
    )
    init.add_argument(
        "directory", type=Path, help="the folder to write (made if missing; must hold no config)"
    )
    init.set_defaults(handler=_init)


def example_files() -> dict[str, str]:
    """The config files ``monitor init`` writes: name -> text."""
    examples = resources.files("monitor") / "defaults" / "example"
    files = {name: (examples / name).read_text(encoding="utf-8") for name in EXAMPLES}
    files["monitor.toml"] = settings_reference()
    files["playbooks.yaml"] = default_playbooks_path().read_text(encoding="utf-8")
    return {name: files[name] for name in CONFIG_FILES}


def _init(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if directory.exists() and not directory.is_dir():
        raise ConfigError([f"{directory}: is a file, not a folder"])
    there = [name for name in CONFIG_FILES if (directory / name).exists()]
    if there:
        raise ConfigError([f"{directory}: already holds {', '.join(there)}; nothing was written"])
    files = example_files()
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(files)} to {directory}")
    print(
        "next: edit sources.yaml (your forums), watch_groups.yaml (your brands and products), "
        "routing.yaml (your spokespeople), then: "
        f"monitor check-config --config {directory}"
    )
    return 0
