"""Watch-group matching, crisis signals and sentiment (text written in the test)."""

from __future__ import annotations

import pytest

from monitor.config.files import WatchGroupConfig
from monitor.enrich.keywords import Match, WatchMatcher
from monitor.enrich.sentiment import SnowNLPScorer
from monitor.enrich.signals import detect_signals, is_me_too

GROUPS = [
    WatchGroupConfig(name="途乐旅行", category="service", include=["途乐旅行", "途乐"], exclude=["途乐园"]),
    WatchGroupConfig(name="星耀Pro14", category="product", include=["星耀Pro14"]),
]


def test_watch_groups_match_include_and_honour_exclude() -> None:
    matcher = WatchMatcher(GROUPS)
    assert [(m.group, m.term, m.start, m.end) for m in matcher.match("途乐旅行收了我2万8团费")] == [
        ("途乐旅行", "途乐旅行", 0, 4)
    ]
    # 途乐 inside 途乐园 does not count; a separate 途乐 in the same post does
    assert matcher.match("周末去途乐园玩") == []
    assert [m.start for m in matcher.match("周末去途乐园玩，途乐的票很便宜")] == [8]
    assert [(m.group, m.term) for m in matcher.match("ＳＴＡＲ 星耀ｐｒｏ14 屏幕亮线")] == [
        ("星耀Pro14", "星耀Pro14")
    ]
    assert matcher.match("路由器掉线") == []
    assert isinstance(matcher.match("途乐旅行")[0], Match)


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        ("我是律师，可以帮大家走集体诉讼", ["lawyer", "collective"]),
        ("我是某晚报记者，想采访一下", ["journalist", "media"]),
        ("已经打了12315，也投诉到消协了", ["regulator"]),
        ("３·１５晚会应该曝光他们", ["consumer_day", "spread_threat"]),
        ("今天天气不错", []),
    ],
)
def test_crisis_signals(text: str, signals: list[str]) -> None:
    assert [s.name for s in detect_signals(text)] == signals
    assert detect_signals(text) == signals  # a Signal compares equal to its name


def test_me_too_replies() -> None:
    assert is_me_too("我也遇到了！交了钱三个月没退")
    assert is_me_too("+1，同样被坑")
    assert not is_me_too("楼主说的是哪家？")


def test_snownlp_scorer_reads_a_complaint_as_negative() -> None:
    scorer = SnowNLPScorer()
    complaint = "交了钱三个月不退款，客服电话永远打不通，太差劲了，再也不会相信这家公司。"
    assert scorer.score(complaint) < 0.5
    assert scorer.score("") == 0.5
    # one polite sentence must not hide the complaint
    assert scorer.score("谢谢大家。" + complaint) < 0.5
