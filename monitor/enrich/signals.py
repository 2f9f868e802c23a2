"""Crisis signals in a post: media, lawyers, regulators, 维权, and "me too" replies (seed 000)."""

from __future__ import annotations

import re

from monitor.enrich.text import normalise

SIGNAL_PATTERNS: dict[str, re.Pattern[str]] = {
    "media": re.compile(r"记者|媒体|报社|晚报|日报|电视台|新闻|曝光|采访|热搜"),
    "lawyer": re.compile(r"律师|律所|起诉|诉讼|法院|打官司|法律途径"),
    "regulator": re.compile(r"12315|消协|消费者协会|工商|市场监管|旅游局|文旅局|监管部门|黑猫投诉"),
    "consumer_day": re.compile(r"(?<!\d)3\s*[·.]?\s*15(?!\d)|315晚会"),
    "rights": re.compile(r"维权"),
}

SIGNAL_LABELS: dict[str, str] = {
    "media": "media (记者/媒体)",
    "lawyer": "lawyer (律师/诉讼)",
    "regulator": "regulator (12315/消协/监管)",
    "consumer_day": "315",
    "rights": "维权",
}

_ME_TOO = re.compile(
    r"我也遇到|我也是|我也被|也被坑|同样被|同样遭遇|一样的遭遇|一样被|同遭遇|同病相怜|\+1|加一|算我一个|我也一样"
)


def detect_signals(text: str) -> list[str]:
    """Names of the crisis signals present in ``text``, in a fixed order."""
    plain = normalise(text)
    return [name for name, pattern in SIGNAL_PATTERNS.items() if pattern.search(plain)]


def is_me_too(text: str) -> bool:
    """True when a reply says the author had the same experience (resonance)."""
    return _ME_TOO.search(normalise(text)) is not None
