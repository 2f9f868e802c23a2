"""A journalist's investigation about a watched brand alerts on its own (the captured Discuz! forum).

Round 2 of the captured forum (tests/fixtures/discuz/gbk/round2/) brings tid 31,
【记者调查】途乐旅行退款难… by 记者林晓: a media signal in an opening post that reads negative,
three replies, two of them thankful. The growth detector alone leaves it "below" (it is slow and
only a third negative); the PR team must still hear of it, at 非常紧迫.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from forum_fixtures import FIXTURE_GBK, FixtureForum
from sqlalchemy import select

from monitor.app import build
from monitor.config.loader import load_config
from monitor.config.settings import DetectSettings
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.severity import Severity
from monitor.store.models import Alert, AlertThread, Thread


def _crawl_rounds(app, forum: FixtureForum, rounds: tuple[int, ...]) -> None:
    for number in rounds:
        name = "ground_truth.json" if number == 0 else f"round{number}/rounds_truth.json"
        truth = json.loads((FIXTURE_GBK / name).read_text(encoding="utf-8"))
        forum.round = number
        at = datetime.fromtimestamp(truth["generated_at_unix"], UTC)

        async def crawl(at: datetime = at) -> None:
            async with app.pipeline() as pipeline:
                await pipeline.crawl_pass(at)

        asyncio.run(crawl())


def test_a_journalists_investigation_opens_a_very_urgent_alert(
    fixture_config: Path, fixture_forum: FixtureForum
) -> None:
    app = build(load_config(fixture_config, environ={}))
    try:
        _crawl_rounds(app, fixture_forum, (0, 1, 2))
        with app.sessions() as session:
            tid31 = session.scalars(select(Thread).where(Thread.external_id == "31")).one()
            alert = session.scalars(
                select(Alert)
                .join(AlertThread, AlertThread.alert_id == Alert.id)
                .where(AlertThread.thread_id == tid31.id)
            ).first()
            assert alert is not None, "the journalist's thread raised no alert"
            assert alert.severity == Severity.VERY_URGENT.value
            assert any("media (记者/媒体) in the opening post" in figure for figure in alert.figures)
    finally:
        app.close()


def _facts(opening: tuple[str, ...], **changes: object) -> ThreadFacts:
    base = dict(
        replies=3, replies_in_window=1, window_minutes=60, posts_scored=4, negative_share=0.25,
        distinct_authors=4, me_too_authors=0, signal_floors={"media": 1}, negative_opening_signals=opening,
    )  # fmt: skip
    base.update(changes)
    return ThreadFacts(**base)  # type: ignore[arg-type]


def test_only_an_opening_post_that_reads_negative_alerts_on_its_signal() -> None:
    settings = DetectSettings()
    found = assess(_facts(("media",)), settings)
    assert found.escalating and found.severity == Severity.VERY_URGENT
    assert found.figures[0].startswith("media (记者/媒体) in the opening post, which reads negative")
    # "感谢林记者的报道" in a reply, or an opening post that does not read negative: no alert by itself
    assert not assess(_facts(()), settings).escalating
    # a signal not in alert_signals (a regulator named in the opening post) does not either
    regulator = _facts(("regulator",), signal_floors={"regulator": 1})
    assert not assess(regulator, settings).escalating
    assert assess(regulator, DetectSettings(alert_signals=("regulator",))).escalating
    assert not assess(_facts(("media",)), DetectSettings(alert_signals=())).escalating
