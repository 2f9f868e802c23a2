"""A journalist at work on the story (我是XX晚报记者, 记者联系了我, 接受了采访) in any post of a
watched thread alerts on its own, at 非常紧迫, however slowly the thread grows and whatever the
post reads; a netizen's 找记者 or 感谢记者的报道 is the media signal alone and does not."""

from __future__ import annotations

import pytest

from monitor.config.settings import DetectSettings
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.severity import Severity
from monitor.enrich.signals import detect_signals


@pytest.mark.parametrize(
    "text",
    [
        "各位好，我是江城晚报的记者林晓，一直在关注这个帖子",
        "您好，我是都市报的记者林晓，正在关注途乐",
        "本台记者已经联系了途乐旅行客服",
        "电视台已经联系我了，明天来采访",
        "记者已经在跟进这件事了",
        "我上周接受了晚报记者的采访",
        "这事已经上新闻了",
        "央视记者找到我了",
        "我们栏目组想请楼主私信联系",
        "你好，我是新京报的，想采访你",
        "澎湃新闻记者想跟楼主聊聊",
        "楼主你好，都市日报记者，求个联系方式",
        "我们是XX电视台民生栏目，想了解一下情况",
        "我已经联系了电视台，记者说明天来采访",
    ],
)
def test_a_journalist_at_work_is_the_journalist_signal(text: str) -> None:
    assert "journalist" in [s.name for s in detect_signals(text)]


@pytest.mark.parametrize(
    "text",
    [
        "我是不是该找记者",
        "我是想找记者曝光",
        "建议找记者",
        "再不处理我就找记者曝光",
        "不行就找媒体",
        "感谢林记者的报道",
        "没有记者联系我",
        "楼主可以接受采访",
        "早就该报道了",
        "我是受害者，记者都不管",
        "我是有多会过@主持人国鹏",  # a Weibo handle is no self-introduction
        "我报名参加，我台湾的朋友也来",
    ],
)
def test_a_netizen_naming_the_media_is_not(text: str) -> None:
    assert "journalist" not in [s.name for s in detect_signals(text)]


@pytest.mark.parametrize("text", ["再不处理我就找记者曝光", "建议联系媒体", "不行就找电视台"])
def test_going_to_the_media_is_a_threat_to_spread_not_the_media(text: str) -> None:
    assert [s.name for s in detect_signals(text)] == ["spread_threat"]


def _facts(floors: dict[str, int], **changes: object) -> ThreadFacts:
    base = dict(
        replies=4, replies_in_window=1, window_minutes=60, posts_scored=5, negative_share=0.6,
        distinct_authors=4, me_too_authors=0, signal_floors=floors, negative_opening_signals=(),
    )  # fmt: skip
    base.update(changes)
    return ThreadFacts(**base)  # type: ignore[arg-type]


def test_a_journalists_reply_alerts_on_its_own_at_very_urgent() -> None:
    found = assess(_facts({"journalist": 5, "media": 5}), DetectSettings())
    assert found.escalating and found.severity == Severity.VERY_URGENT
    assert found.figures[0] == (
        "journalist on the story (记者联系/采访) at floor 5: alerts however slowly the thread grows"
    )
    # the media alone in a reply (找记者, 感谢记者的报道) floors the tier of an alert, opens none
    assert not assess(_facts({"media": 5}), DetectSettings()).escalating
    # off when the setting is emptied
    assert not assess(_facts({"journalist": 5}), DetectSettings(alert_signals_anywhere=())).escalating
    # a journalist after a travel feature, on a thread of praise: no crisis
    assert not assess(_facts({"journalist": 5}, negative_share=0.0), DetectSettings()).escalating


def test_in_the_opening_post_it_is_said_once() -> None:
    facts = _facts({"journalist": 1, "media": 1}, negative_opening_signals=("media", "journalist"))
    settings = DetectSettings(alert_signals=("media", "journalist"))
    assert [f for f in assess(facts, settings).figures if "alerts however slowly" in f] == [
        "media (记者/媒体), journalist on the story (记者联系/采访) in the opening post, "
        "which reads negative: alerts however slowly the thread grows"
    ]
    alone = assess(_facts({"journalist": 1}), DetectSettings())  # not the opening-post rule: the thread's
    assert alone.escalating and alone.figures[0].startswith(
        "journalist on the story (记者联系/采访) in the opening post:"
    )
