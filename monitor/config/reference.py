"""The settings reference, generated from the settings model so it cannot drift.

``config/monitor.toml`` in the repository is this text; a test keeps them equal.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from monitor.config.settings import ENVIRONMENT, Settings

HEADER = """\
# Service settings of the BBS crisis monitor. Every setting is shown with its default;
# uncomment and edit what you need. Precedence: defaults < this file < environment < command line.
# Generated from monitor/config/settings.py (python -m monitor.config.reference > config/monitor.toml).
"""


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return json.dumps(value.as_posix(), ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def settings_reference() -> str:
    env_for = {f"{section}.{key}": var for var, (section, key) in ENVIRONMENT.items()}
    lines = [HEADER]
    defaults = Settings()
    for section_name in Settings.model_fields:
        section = getattr(defaults, section_name)
        assert isinstance(section, BaseModel)
        lines.append(f"[{section_name}]")
        for key, field in type(section).model_fields.items():
            lines.append(f"# {field.description}")
            variable = env_for.get(f"{section_name}.{key}")
            if variable:
                lines.append(f"# Environment: {variable}")
            value = getattr(section, key)
            shown = "(not set by default)" if value is None else _toml_value(value)
            lines.append(f"# {key} = {shown}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_reference(), end="")
