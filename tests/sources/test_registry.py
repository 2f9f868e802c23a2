"""make_source: engine name -> adapter, with the generic and rss blocks validated and their
errors reported with the source's key. SourceConfig entries are stood in for by a namespace
until the sources file model carries ``selectors``/``feed`` (the registry reads them by name)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from monitor.config.files import SourceConfig
from monitor.errors import ConfigError, UnknownNameError
from monitor.sources.discuz import DiscuzSource
from monitor.sources.feed import FeedSource
from monitor.sources.generic import GenericSource
from monitor.sources.generic_config import GenericSelectors
from monitor.sources.registry import make_source

SELECTORS = {
    "board_url": "viewforum.php?f={board}&start={start}",
    "thread_url": "viewtopic.php?t={thread}&start={start}",
    "board": {"row": "li.row", "link": "a.topictitle"},
    "thread": {
        "post": "div.post",
        "title": "h2",
        "author": "a.username",
        "time": "time @datetime",
        "text": "div.content",
    },
}


def entry(engine: str, **extra: object) -> SimpleNamespace:
    return SimpleNamespace(
        key="forum-a", engine=engine, base_url="https://bbs.example.org/forum/", posts_per_page=15, **extra
    )


def test_discuz_from_the_real_sources_model() -> None:
    config = SourceConfig.model_validate(
        {
            "key": "bbs",
            "name": "BBS",
            "engine": "discuz",
            "base_url": "https://bbs.example.com",
            "boards": ["2"],
        }
    )
    source = make_source(config, "Asia/Shanghai")
    assert isinstance(source, DiscuzSource)
    assert source.board_url("2") == "https://bbs.example.com/forum.php?mod=forumdisplay&fid=2&page=1"


def test_generic_from_a_mapping_or_a_model() -> None:
    source = make_source(entry("generic", selectors=SELECTORS), "Asia/Shanghai")  # type: ignore[arg-type]
    assert isinstance(source, GenericSource) and source.posts_per_page == 15
    assert source.thread_url("12", 2) == "https://bbs.example.org/forum/viewtopic.php?t=12&start=15"
    model = GenericSelectors.model_validate(SELECTORS)
    assert isinstance(make_source(entry("generic", selectors=model), "UTC"), GenericSource)  # type: ignore[arg-type]


def test_rss_with_and_without_feed_block() -> None:
    plain = make_source(entry("rss"), "Asia/Shanghai")  # type: ignore[arg-type]
    assert isinstance(plain, FeedSource) and not plain.reads_threads
    threaded = make_source(entry("rss", feed={"thread_feed": "t/{thread}.rss"}), "UTC")  # type: ignore[arg-type]
    assert isinstance(threaded, FeedSource) and threaded.reads_threads


def test_generic_without_selectors_names_the_source() -> None:
    with pytest.raises(ConfigError, match=r"forum-a.*needs a 'selectors:' block"):
        make_source(entry("generic"), "UTC")  # type: ignore[arg-type]


def test_bad_selectors_name_the_source_and_key() -> None:
    bad = {**SELECTORS, "board": {"row": "li[", "link": "a"}}
    with pytest.raises(ConfigError) as caught:
        make_source(entry("generic", selectors=bad), "UTC")  # type: ignore[arg-type]
    assert any(p.startswith("sources: forum-a: selectors.board.row") for p in caught.value.problems)


def test_unknown_engine() -> None:
    with pytest.raises(UnknownNameError, match=r"vbulletin.*known: discuz, generic, rss"):
        make_source(entry("vbulletin"), "UTC")  # type: ignore[arg-type]
