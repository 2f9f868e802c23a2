"""Crisis signals with spans, negation and quotation, from the shipped lexicon (texts written here)."""

from __future__ import annotations

import json
import pickle

import pytest

from monitor.enrich.signals import SIGNAL_LABELS, Signal, detect_signals, is_me_too, signal_name


def _found(text: str, quoted: str = "") -> list[tuple[str, str]]:
    return [(s.name, s.term) for s in detect_signals(text, quoted)]


def test_signals_come_with_the_span_of_the_post_s_own_text() -> None:
    text = "途樂旅行再不退款，我就請律師起訴，再找記者曝光！"
    signals = detect_signals(text)
    assert [(s.name, s.term, s.start, s.end) for s in signals] == [
        ("lawyer", "律師", 12, 14),
        ("spread_threat", "找記者", 18, 21),  # a threat to go to the media, not the media themselves
    ]
    assert all(text[s.start : s.end] == s.term for s in signals)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("媒体已经报道了，央视也来采访", [("media", "媒体"), ("journalist", "已经报道")]),
        ("这种公司就该曝光！", [("spread_threat", "曝光")]),  # a netizen's threat: not 非常紧迫
        ("律师函已经寄到公司，准备去法院仲裁", [("lawyer", "律师函")]),
        ("打了12315，也去了市场监管局", [("regulator", "12315")]),
        ("今年3·15晚会见", [("consumer_day", "3·15")]),
        ("大家一起联名投诉，我建了个维权群", [("collective", "大家一起"), ("rights", "维权")]),
        ("同样遭遇，我也是被拖了三个月", [("resonance", "同样遭遇")]),
        ("同问", [("resonance", "同问")]),
        ("顶！！！", []),  # a bump backs the poster; it does not say "me too"
        ("帮顶，希望楼主早日拿回押金。", []),
        ("+1 北京 5800", [("resonance", "+1")]),
        ("再也不会买了，已经转发到朋友圈让大家扩散", [("spread_threat", "再也不")]),
        ("工厂出了事故，两名工人受伤，产品紧急召回", [("safety", "事故")]),
    ],
)
def test_each_family_of_signals(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "没有找律师",
        "不会起诉的，放心",
        "我不是记者，只是路过",
        "没有媒体报道过这件事",
        "幸好没有人受伤",
        "检测报告写着无事故",
        "我们不打算找消协",
        "请不要转发",
    ],
)
def test_negated_signals_do_not_count(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("不得不起诉了", "lawyer"),  # double negation
        ("没办法，只能找律师", "lawyer"),
        ("不退款就找律师", "lawyer"),  # a condition, not a negation
        ("有没有律师朋友帮忙看看", "lawyer"),  # a question
        ("别逼我找记者", "spread_threat"),  # a threat to go to the media, not a negation of it
    ],
)
def test_what_only_looks_like_negation_still_counts(text: str, name: str) -> None:
    assert name in [s.name for s in detect_signals(text)]


def test_a_quote_does_not_count_again() -> None:
    quote = "我也遇到了，交了钱三个月没退，准备找律师"
    assert _found("我也遇到了，交了钱三个月没退，准备找律师", quoted=quote) == []  # pasted in again
    assert _found("楼上说：我也遇到了，交了钱三个月没退。同感", quoted=quote) == []
    assert _found("我也遇到了！", quoted=quote) == [("resonance", "我也遇到")]  # says it herself
    assert _found("我也要找律师", quoted=quote) == [("lawyer", "律师")]
    assert not is_me_too("交了钱三个月没退", quoted=quote)
    assert is_me_too("我也遇到了！", quoted=quote)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("加一", "加一"),
        ("加一！我也等了三个月", "加一"),
        ("楼上加一", "加一"),
        ("加一加一，退款到现在没到", "加一"),
        ("加一啊，客服根本不理人", "加一"),
        ("加1 北京 5800", "加1"),
        ("加１，同样的情况", "加１"),  # full-width 1
        ("+1", "+1"),
    ],
)
def test_jia_yi_standing_alone_is_a_me_too(text: str, term: str) -> None:
    assert _found(text)[:1] == [("resonance", term)]


@pytest.mark.parametrize(
    "text",
    [
        "请问这款笔记本能不能加一个内存插槽",  # a quantity: add one (slot), not "+1"
        "再加一点钱就能换高配",
        "方便加一下微信吗",
        "能不能加一些冰块",
        "加一条数据线多少钱",
        "预算加一倍也行",
        "路由器要不要加一台做中继",
        "加一块硬盘，加一根内存条，加一张网卡",
        "1加1等于2",
        "每次加10元",
        "加1.5倍",
    ],
)
def test_jia_yi_as_a_quantity_or_a_sum_is_no_me_too(text: str) -> None:
    assert _found(text) == []


def test_false_friends() -> None:
    assert _found("工商银行的信用卡") == []
    assert _found("一斤3.15元") == []
    assert _found("1+1=2") == []
    assert _found("客服电话0571123156") == []  # 12315 inside a longer number is not the hotline


def test_signal_is_its_name_so_stored_lists_keep_working() -> None:
    [signal] = detect_signals("我是律师")
    assert signal == "lawyer" and signal.name == "lawyer"
    assert json.loads(json.dumps(detect_signals("我是律师"))) == ["lawyer"]
    assert signal.as_dict() == {"name": "lawyer", "term": "律师", "start": 2, "end": 4}
    assert pickle.loads(pickle.dumps(signal)).as_dict() == signal.as_dict()
    assert repr(signal) == "Signal(name='lawyer', term='律师', start=2, end=4)"
    with pytest.raises(AttributeError):
        signal.term = "x"  # type: ignore[misc]
    assert signal_name("lawyer") == signal_name(signal.as_dict()) == "lawyer"
    assert isinstance(signal, Signal)


def test_labels_cover_every_signal_and_keep_the_names_used_elsewhere() -> None:
    assert {"media", "lawyer", "regulator", "consumer_day", "rights"} <= set(SIGNAL_LABELS)
    assert {"collective", "resonance", "spread_threat", "safety"} <= set(SIGNAL_LABELS)
    assert SIGNAL_LABELS["lawyer"] == "lawyer (律师/诉讼)" and SIGNAL_LABELS["rights"] == "rights (维权)"
    assert SIGNAL_LABELS.get("unknown", "unknown") == "unknown"
    assert len(SIGNAL_LABELS) == len(list(SIGNAL_LABELS))
