"""Adapters by engine name: the one place that knows which class reads which forum engine.

=========  ===========================================  =====================================
engine     adapter                                      extra config in the source entry
=========  ===========================================  =====================================
discuz     :class:`~.discuz.DiscuzSource`               (none; ``posts_per_page``)
generic    :class:`~.generic.GenericSource`             ``selectors:`` (:class:`GenericSelectors`)
rss        :class:`~.feed.FeedSource`                   ``feed:`` (:class:`FeedOptions`), optional
=========  ===========================================  =====================================
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from monitor.config.files import SourceConfig
from monitor.errors import ConfigError, UnknownNameError
from monitor.sources.base import Source
from monitor.sources.generic_config import FeedOptions, GenericSelectors

ENGINES = ("discuz", "generic", "rss")
M = TypeVar("M", GenericSelectors, FeedOptions)


def make_source(config: SourceConfig, timezone: str) -> Source:
    """The adapter for ``config.engine``, pointed at the source's base URL."""
    engine = config.engine
    base_url = str(config.base_url)
    posts_per_page = config.posts_per_page
    if engine == "discuz":
        from monitor.sources.discuz import DiscuzSource

        return DiscuzSource(base_url, timezone=timezone, posts_per_page=posts_per_page)
    if engine == "generic":
        from monitor.sources.generic import GenericSource

        selectors = _options(config, "selectors", GenericSelectors, required=True)
        assert selectors is not None
        return GenericSource(base_url, selectors, timezone=timezone, posts_per_page=posts_per_page)
    if engine == "rss":
        from monitor.sources.feed import FeedSource

        return FeedSource(base_url, _options(config, "feed", FeedOptions, required=False), timezone=timezone)
    raise UnknownNameError(f"no adapter for forum engine {engine!r} (known: {', '.join(ENGINES)})")


def _options(config: SourceConfig, key: str, model: type[M], *, required: bool) -> M | None:
    """The source entry's ``key`` block as ``model`` (already validated, or a raw mapping)."""
    raw: Any = getattr(config, key, None)
    if raw is None:
        if required:
            raise ConfigError([f"sources: {config.key}: engine {config.engine!r} needs a '{key}:' block"])
        return None
    if isinstance(raw, model):
        return raw
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"sources: {config.key}: {key}.{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise ConfigError(problems) from exc
