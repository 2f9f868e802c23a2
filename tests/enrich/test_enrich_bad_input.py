"""Bad input through fold, watch matching, signals and category: empty, emoji only, 100 KB,
mixed scripts, lone surrogates from a bad decode, control characters. Never a crash, never slow.
Texts are made in the test."""

from __future__ import annotations

import time

import pytest

from monitor.config.files import WatchGroupConfig
from monitor.enrich.category import classify_complaint
from monitor.enrich.keywords import WatchMatcher
from monitor.enrich.signals import detect_signals, is_me_too
from monitor.enrich.text import fold

MATCHER = WatchMatcher(
    [
        WatchGroupConfig(name="途乐旅行", include=["途乐旅行", "途乐"], aliases=["TuLe"], exclude=["途乐园"]),
        WatchGroupConfig(name="高管", expression='"张总" AND 途乐'),
    ]
)

BAD = [
    "",
    " \n\t\u3000 ",
    "😀😡👍🏻🇨🇳" * 20,
    "[图片][图片]",
    "\x00\x07\x1b[31m途乐\x1b[0m",
    "ab\udcff\udc80途乐",  # surrogateescape leftovers
    "\u202e途乐\u202c律师",  # bidi override
    "Ｔｕｌｅ 途樂 ツアー 투어 tour Тур جولة 律師",
    "途" * 50 + "乐",
]


@pytest.mark.parametrize("text", BAD)
def test_bad_input_never_crashes(text: str) -> None:
    folded = fold(text)
    assert len(folded.text) <= 4 * len(text) + 1
    for match in MATCHER.match(text):
        assert 0 <= match.start <= match.end <= len(text)
    for signal in detect_signals(text, quoted=text[:10]):
        assert text[signal.start : signal.end] == signal.term
    is_me_too(text)
    assert classify_complaint(text).category in ("product", "service", "dealer", "policy", "other")


def test_mixed_scripts_still_match() -> None:
    text = "Ｔｕｌｅ 途樂 ツアー 투어 tour Тур جولة 律師"
    assert [m.group for m in MATCHER.match(text)] == ["途乐旅行"]
    assert [s.name for s in detect_signals(text)] == ["lawyer"]


def test_a_100_kb_post_is_handled_quickly() -> None:
    unit = "途樂旅行收了我2萬8團費，行程取消後三個月不退款！我也遇到了，準備找律師。\n\n"
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    started = time.perf_counter()
    matches = MATCHER.match(text)
    signals = detect_signals(text, quoted="楼主好")
    category = classify_complaint(text)
    assert time.perf_counter() - started < 5
    assert [m.group for m in matches] == ["途乐旅行"]
    assert {"lawyer", "resonance"} <= {s.name for s in signals}
    assert category.category == "service"
