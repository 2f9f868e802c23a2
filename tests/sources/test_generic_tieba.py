"""A 贴吧/NGA-style forum read by the ``generic`` adapter with docs/sources.md's ``tieba`` entry, over
loopback through the real pipeline (fetch, parse, store, enrich, detect, alert).

Fixture: tests/fixtures/generic/tieba_*.html — GBK pages declared only by their ``<meta>``, served
with a fixed ``Date``: a board list of two pages (the sticky rules thread on both), a thread of
two pages whose opening post shows ``#0``, dates such as ``5分钟前``, ``昨天 12:30`` and
``11-20 09:12`` (no year), a quote with its ``引用 … 的发言：`` line, a journalist at ``#4``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tieba_forum import NOW, PAGES, SHANGHAI, TiebaForum, tieba_config, tieba_entry

from monitor.app import build
from monitor.config.files import SourceConfig
from monitor.config.loader import load_config
from monitor.errors import ParseError
from monitor.pipeline import PassReport
from monitor.sources.generic import GenericSource
from monitor.store.models import Alert, Post, Thread


@pytest.fixture
def forum() -> Iterator[TiebaForum]:
    served = TiebaForum()
    try:
        yield served
    finally:
        served.close()


def _crawl(tmp_path: Path, forum_url: str) -> tuple[PassReport, dict[str, Any]]:
    directory = tieba_config(tmp_path, tieba_entry() | {"base_url": forum_url})
    app = build(load_config(directory, environ={}))

    async def run() -> PassReport:
        async with app.pipeline() as pipeline:
            return await pipeline.crawl_pass(NOW)

    try:
        report = asyncio.run(run())
        with app.sessions() as session:
            threads = {t.external_id: t for t in session.scalars(select(Thread))}
            stored = {
                "threads": {k: (t.title, t.sticky, t.replies, t.created_at) for k, t in threads.items()},
                "posts": {
                    tid: [
                        (p.floor, p.external_id, p.author, p.author_id, p.posted_at, p.text, p.quoted)
                        for p in session.scalars(
                            select(Post).where(Post.thread_id == t.id).order_by(Post.floor)
                        )
                    ]
                    for tid, t in threads.items()
                },
                "alerts": [(a.thread.external_id, a.severity) for a in session.scalars(select(Alert))],
                "reasons": [[*a.figures, *a.signals] for a in session.scalars(select(Alert))],
            }
    finally:
        app.close()
    return report, stored


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


def test_tieba_style_forum_is_read_whole_over_loopback(tmp_path: Path, forum: TiebaForum) -> None:
    report, stored = _crawl(tmp_path, forum.url)
    assert report.pages_failed == 0
    threads = stored["threads"]
    assert sorted(threads) == ["5001", "5002", "5003", "5004", "5005"]  # both list pages, the sticky once
    assert threads["5001"][1] is True and not any(threads[t][1] for t in ("5002", "5003", "5004", "5005"))
    assert threads["5004"] == ("物业乱收停车费", False, 0, local(2026, 11, 20, 9, 12))  # "11-20 09:12"
    assert threads["5003"][3] == local(2026, 11, 22, 12, 30)  # "昨天 12:30"
    refund = stored["posts"]["5002"]
    assert [(p[0], p[1], p[2], p[3]) for p in refund] == [
        (1, "91000", "退款无门的阿强", "201"),  # shows #0
        (2, "91001", "小鱼儿", "300"),
        (3, "91002", "上海老张", "301"),
        (4, "91003", "蓝天", "302"),  # page 2
        (5, "91004", "晚报记者刘洋", "314"),
        (6, "91005", "七月", "309"),
    ]
    minutes_ago = [round((NOW - p[4]) / timedelta(minutes=1)) for p in refund]
    assert minutes_ago == [60, 45, 30, 20, 5, 0]
    assert refund[3][5:] == ("大家一起联名投诉吧", "我也遇到了，去年十月的团，钱到现在没退")
    assert stored["posts"]["5004"][0][4] == local(2026, 11, 20, 9, 12)
    assert stored["posts"]["5005"][0][4] == local(2025, 12, 30, 8, 0)
    assert stored["alerts"] == [("5002", "very_urgent")]  # a journalist on the story
    # the reasons name the floor as the forum shows it: the journalist's post is #4 there (stored as 5)
    said = " | ".join(stored["reasons"][0])
    assert "floor 4" in said and "floor 5" not in said, said
    assert "我也遇到了 (me too) (first at floor 1)" in said, said  # 小鱼儿's reply, #1 on the forum
    assert "clock" not in said, said  # the forum's Date header is its pages' NOW: no skew to report


def test_a_floor_0_without_first_floor_is_a_parse_error_naming_the_setting() -> None:
    entry = tieba_entry()
    entry["selectors"]["thread"].pop("first_floor")
    config = SourceConfig.model_validate(entry)
    assert config.selectors is not None
    source = GenericSource(str(config.base_url), config.selectors, posts_per_page=config.posts_per_page)
    html = (PAGES / "tieba_thread_5002_p1.html").read_bytes().decode("gbk")
    with pytest.raises(ParseError, match=r"shows floor 0: .*set thread\.first_floor: 0"):
        source.parse_thread(html, "http://bbs.example.com/read.php?tid=5002&page=1", NOW)
