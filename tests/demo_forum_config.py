"""A config directory for tests that crawl demo forums (monitor/demo/forum.py) over loopback.

The packaged demo config (watch groups, spokespeople, routing) with the given forums as its
sources, SMTP off, no pacing or retries, and any extra ``monitor.toml`` sections. A uniquely
named module, imported by the loopback pipeline tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from monitor.config.loader import MonitorConfig, load_config


@dataclass(frozen=True)
class ForumSource:
    key: str
    name: str
    url: str
    boards: Sequence[int]


def demo_forum_config(
    directory: Path,
    sources: Sequence[ForumSource],
    sections: Mapping[str, Mapping[str, object]] | None = None,
) -> MonitorConfig:
    """Write the config into ``directory`` (its data goes next to it) and load it."""
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), directory)
    lines = ["sources:"]
    for source in sources:
        boards = ", ".join(f'"{fid}"' for fid in source.boards)
        lines += [
            f"  - key: {source.key}",
            f"    name: {source.name}",
            "    engine: discuz",
            f"    base_url: {source.url}",
            f"    boards: [{boards}]",
        ]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    toml = [
        f'[general]\ndata_dir = "{(directory.parent / "data").as_posix()}"',
        "[fetch]\nper_host_delay_seconds = 0.0\nretries = 0",
        "[smtp]\nenabled = false",
    ]
    for section, values in (sections or {}).items():
        toml.append(f"[{section}]\n" + "\n".join(f"{key} = {value}" for key, value in values.items()))
    (directory / "monitor.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return load_config(directory, environ={})
