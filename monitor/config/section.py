"""The base of every settings section: an unknown key is an error, and nothing changes after load;
and the type of a setting that names an environment variable."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(
            f"{value!r} is not the name of an environment variable "
            "(letters, digits and _, e.g. MONITOR_WEB_SECRET)"
        )
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
