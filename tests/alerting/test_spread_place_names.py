"""Where else a story runs, named without ambiguity when two forums share a board name.

A UTF-8 forum and a GBK forum both have a 投诉维权 board: the alert's "Also on" line (email
text, HTML, chat) and the reasons name the other forum ("投诉维权 (消费维权论坛 GBK)"); a board
of the alert's own forum is named alone. Uses the demo configuration (monitor/demo/config/)
and a SQLite file; the second forum is a source row written by the test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.alerting.channels.markdown import WECOM, chat_lines
from monitor.alerting.compose import compose
from monitor.alerting.render import render_html, render_text
from monitor.alerting.service import consider
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.detect.spread import Spread, StoryCopy, StoryThread, describe_spread, place_name
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert, SourceRow, Thread

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STORY = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
STORY_POST = "今年8月在途乐旅行报了日本关西8日游，团费28000元，行程取消后三个月不退款，客服一直推脱。"
GBK_FORUM = "消费维权论坛 GBK <b>"  # scraped/configured text: escaped in HTML


@pytest.fixture
def config() -> MonitorConfig:
    return load_config(DEMO_CONFIG, environ={})


@pytest.fixture
def session(tmp_path: Path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    ensure_schema(engine, auto_migrate=True)
    return session_factory(engine)()


def _thread(session: Session, source: SourceRow, board: tuple[str, str], tid: str, title: str) -> Thread:
    board_row = repo.ensure_board(session, source, *board)
    summary = ThreadSummary(
        thread_id=tid,
        title=title,
        author="a",
        author_id="1",
        replies=0,
        views=1,
        sticky=False,
        url=f"http://x/{tid}",
    )
    thread, _ = repo.upsert_thread(session, source, board_row, summary, NOW)
    post = PostRecord(post_id=tid + "01", floor=1, author="a", author_id="1", posted_at=NOW, text=STORY_POST)
    repo.save_posts(session, thread, [post], NOW)
    return thread


def _assessment(severity: Severity, escalating: bool = True) -> Assessment:
    return Assessment(
        escalating=escalating,
        severity=severity,
        figures=["9 replies in the last 60 min"],
        signals=[],
        negative_share=0.8,
        replies_per_hour=9.0,
    )


def _story_on_two_forums(session: Session, config: MonitorConfig) -> Alert:
    """The story on the demo forum's 投诉维权 board; copies on the GBK forum's 投诉维权 board, the demo
    forum's 旅游天地 board, the GBK forum's 旅游天地 board and (posted again) the story's own board."""
    group = config.watch_groups[0]
    home = repo.ensure_source(session, config.sources[0])
    gbk = SourceRow(key="gbk-bbs", name=GBK_FORUM, engine="discuz", base_url="http://gbk.example/")
    session.add(gbk)
    session.flush()
    story = _thread(session, home, ("2", "投诉维权"), "26", STORY)
    opened = consider(session, config, story, group, _assessment(Severity.URGENT), NOW)
    assert opened is not None
    later = NOW + timedelta(minutes=30)
    quiet = _assessment(Severity.GENERAL, escalating=False)
    for source, board, tid in ((gbk, ("7", "投诉维权"), "501"), (home, ("3", "旅游天地"), "30")):
        copy = _thread(session, source, board, tid, "转帖：" + STORY)
        joined = consider(session, config, copy, group, quiet, later)
        assert joined is not None and joined.kind == "spread"
    for source, board, tid in ((gbk, ("8", "旅游天地"), "502"), (home, ("2", "投诉维权"), "31")):
        copy = _thread(session, source, board, tid, "再发一次：" + STORY)
        assert consider(session, config, copy, group, quiet, later) is not None
    alert = session.get(Alert, opened.alert_id)
    assert alert is not None
    return alert


def test_also_on_names_the_other_forum_of_a_board_the_alerts_forum_also_has(
    session: Session, config: MonitorConfig
) -> None:
    alert = _story_on_two_forums(session, config)
    message = compose(session, config, alert)
    assert message.also_on == [
        f"投诉维权 ({GBK_FORUM})",
        "旅游天地",
        f"旅游天地 ({GBK_FORUM})",
        "投诉维权（同版重发 posted again）",
    ]
    text = render_text(message)
    assert (
        f"另见于 Also on:           投诉维权 ({GBK_FORUM}), 旅游天地, "
        f"旅游天地 ({GBK_FORUM}), 投诉维权（同版重发 posted again）" in text
    )
    html = render_html(message)
    assert "投诉维权 (消费维权论坛 GBK &lt;b&gt;), 旅游天地" in html and "<b>" not in html
    board_line = next(line for line in chat_lines(message, WECOM) if line.startswith("版块 Board:"))
    assert "另见于 Also on 投诉维权 (消费维权论坛 GBK ＜b＞), 旅游天地" in board_line


def test_place_name_names_the_forum_only_when_it_is_another_one() -> None:
    assert place_name("投诉维权") == "投诉维权"
    assert place_name("投诉维权", "消费维权论坛 GBK") == "投诉维权 (消费维权论坛 GBK)"


def test_the_reason_names_the_forum_of_a_same_named_board_elsewhere() -> None:
    """Already so before: the reasons name another forum's board as "<forum>'s <board> board"."""
    there = StoryThread(2, "消费维权论坛 GBK", "投诉维权", STORY, STORY, replies=6)
    spread = Spread("演示论坛", "投诉维权", (StoryCopy(there, 1.0),))
    assert (
        describe_spread(spread) == "same story also posted on 消费维权论坛 GBK's 投诉维权 board (6 replies)"
    )
