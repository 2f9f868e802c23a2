"""A watch group's story index is freed once the group has gone a story window without a check:
a group removed from ``watch_groups.yaml`` (or gone quiet) does not keep its index until restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.config.loader import load_config
from monitor.facts_story import HeldStories, StoryReader
from monitor.store import repo
from monitor.store.models import Post, Thread

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def _thread(thread_id: int, title: str) -> Thread:
    board = SimpleNamespace(name="投诉区", external_id="2")
    forum = SimpleNamespace(name="论坛")
    shown = SimpleNamespace(id=thread_id, source=forum, board=board, title=title, replies=3, board_id=None)
    return cast(Thread, shown)


def _check(reader: StoryReader, group: str, title: str) -> list[int]:
    opening = "行程取消后一直不退款"
    told = [repo.GroupThread(1, "别的论坛", "旅游", title, 9, opening, NOW - timedelta(hours=1))]
    held: dict[str, HeldStories] = {}
    first = cast(Post, SimpleNamespace(text=opening, posted_at=NOW))
    watched = WatchGroupConfig(name=group, include=[group])
    spread = reader.spread(cast(Session, None), _thread(2, title), first, watched, NOW, told, held)
    return [copy.thread.thread_id for copy in spread.copies]


def test_a_group_unchecked_for_a_story_window_loses_its_index(fixture_config: Path) -> None:
    config = load_config(fixture_config, environ={})
    window = config.settings.detect.story_window_hours * 3600
    clock = Clock()
    reader = StoryReader(config, timedelta(hours=1), clock=clock)
    assert _check(reader, "途乐旅行", "途乐旅行收了团费不退") == [1]
    assert _check(reader, "快捷酒店", "快捷酒店收了房费不退") == [1]
    assert reader.indexed_groups() == ["快捷酒店", "途乐旅行"]

    clock.seconds += window - 1  # 途乐旅行 still checked within the window: both kept
    _check(reader, "途乐旅行", "途乐旅行收了团费不退")
    assert reader.indexed_groups() == ["快捷酒店", "途乐旅行"]

    clock.seconds += 2  # 快捷酒店 (removed from the config) last checked over a window ago
    assert _check(reader, "途乐旅行", "途乐旅行收了团费不退") == [1]
    assert reader.indexed_groups() == ["途乐旅行"]

    clock.seconds += window + 1  # a group back after a long quiet gets a new index and the same answer
    assert _check(reader, "快捷酒店", "快捷酒店收了房费不退") == [1]
    assert reader.indexed_groups() == ["快捷酒店"]
