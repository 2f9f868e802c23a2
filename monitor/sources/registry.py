"""Adapters by engine name: the one place that knows which class reads which forum engine."""

from __future__ import annotations

from monitor.config.files import SourceConfig
from monitor.errors import UnknownNameError
from monitor.sources.base import Source


def make_source(config: SourceConfig, timezone: str) -> Source:
    """The adapter for ``config.engine``, pointed at the source's base URL."""
    if config.engine == "discuz":
        from monitor.sources.discuz import DiscuzSource

        return DiscuzSource(str(config.base_url), timezone=timezone)
    raise UnknownNameError(f"no adapter for forum engine {config.engine!r}")
