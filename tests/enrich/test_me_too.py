"""monitor.enrich.me_too: when a 我也遇到了 counts as resonance. Scores are passed in (the
pipeline-level table with the real forum-v1 scorer is tests/test_me_too_reading.py)."""

from __future__ import annotations

import pytest

from monitor.enrich.me_too import ME_TOO_POSITIVE_FROM, clause, praise_words, read_me_too
from monitor.enrich.signals import detect_signals


def _read(text: str, score: float | None = 0.4) -> tuple[bool, str | None]:
    reading = read_me_too(text, detect_signals(text), score)
    return reading.counts, reading.refused


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我也遇到了很热情的店员，点赞", "我也遇到了很热情的店员，点赞"),
        ("店员很凶。我也遇到了很热情的店员，点赞！下次还去", "我也遇到了很热情的店员，点赞"),
        ("感谢楼主分享，我也遇到了同样的问题，客服一直推脱", "我也遇到了同样的问题，客服一直推脱"),
        ("我也是！导游特别贴心。全程很愉快", "我也是！导游特别贴心"),  # bare: and the next sentence
        ("服务很好，+1", "服务很好，+1"),  # bare at the end: its whole sentence
        ("我也是醉了！", "我也是醉了"),  # not bare: 醉 is more than a particle
    ],
)
def test_the_clause_of_a_me_too(text: str, expected: str) -> None:
    [said] = [s for s in detect_signals(text) if s.name == "resonance"]
    assert clause(text, said) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("店员很热情，点赞", ["热情", "点赞"]),
        ("導遊很熱情，點讚", ["热情", "点赞"]),  # Traditional, folded
        ("店员特别热情", ["热情"]),  # 特别 is no denial
        ("店员一点都不热情", []),
        ("不是很满意", []),
        ("客服没耐心", []),
        ("我很好奇后来怎样了", []),
        ("老师昧着良心改分数", []),
        ("说会给个满意的答复", []),
        ("感谢楼主分享", []),  # thanks the poster, not the company
        ("谢谢提醒", []),
        ("点赞楼主", []),
        ("服务很负责任", ["很负责"]),  # overlapping words count once
    ],
)
def test_praise_words(text: str, words: list[str]) -> None:
    assert praise_words(text) == words


def test_a_clearly_positive_post_does_not_count_whatever_its_words() -> None:
    counts, why = _read("我也遇到了，就那样吧", ME_TOO_POSITIVE_FROM)
    assert not counts and why == "the post reads positive (sentiment 0.60, at least 0.60)"
    assert _read("我也遇到了，就那样吧", ME_TOO_POSITIVE_FROM - 0.01) == (True, None)


def test_praise_in_the_clause_refuses_it_unless_the_post_complains() -> None:
    assert _read("我也遇到了很热情的店员，点赞") == (
        False,
        "its clause praises (热情、点赞) and the post has no complaint word",
    )
    assert _read("我也遇到了很热情的店员，点赞", None)[0] is False  # unscored: the words still tell
    assert _read("我也遇到了。店员当时很热情。结果交了钱就不退了。") == (True, None)
    assert _read("楼主遇到的店员很热情。我也遇到了，押金没退") == (True, None)  # praise outside the clause


def test_no_me_too_and_the_signals_kept() -> None:
    text = "找了律师，已经转发朋友圈"
    signals = detect_signals(text)
    reading = read_me_too(text, signals, 0.9)
    assert reading.said is None and not reading.counts
    assert reading.counted_signals(signals) == signals
    praise = "我也遇到了很热情的店员，点赞，已经转发朋友圈了"
    found = detect_signals(praise)
    refused = read_me_too(praise, found, 0.5)
    assert [s.name for s in found] == ["resonance", "spread_threat"]
    assert [s.name for s in refused.counted_signals(found)] == ["spread_threat"]
    assert refused.explain() == (
        "does not count as resonance: its clause praises (热情、点赞) and the post has no complaint word"
    )
    assert read_me_too("+1", detect_signals("+1"), None).explain() == "counts as resonance (not scored)"
