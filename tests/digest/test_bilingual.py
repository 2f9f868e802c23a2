"""The digest reads Chinese first all through, not only in its headings: each kind of sentence — a
figure sentence, a "What changed" line, an attention line, an alert card's fact, the "as of" note —
says it in Chinese, then in English, with the same figures (counts, shares, durations, dates).

Read from the bodies as sent (text and HTML), built with test_render_digest's factories (no database).
The plain text puts ``中文 / English`` on one line when both fit in 100 columns, else the English on
the next line under the Chinese; the HTML puts the English in a small grey span after the Chinese.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bs4 import BeautifulSoup
from test_attention import alert
from test_render_digest import digest, figures, last_week

from monitor.digest.figures import what_changed
from monitor.digest.model import Attention
from monitor.digest.render import render_html, render_text
from monitor.display_text import display_width


def said_in_text(text: str, chinese: str) -> tuple[str, str]:
    """The sentence whose Chinese starts with ``chinese``: its Chinese and its English, as the text body
    lays them out (``zh / en`` on one line, or the English alone on the next)."""
    lines = text.splitlines()
    [n] = [n for n, line in enumerate(lines) if chinese in line]
    start = lines[n].index(chinese)
    zh, joined, en = lines[n][start:].partition(" / ")
    if joined:
        assert display_width(lines[n]) <= 100, lines[n]
        return zh, en
    assert display_width(f"{lines[n]} / {lines[n + 1].strip()}") > 100  # split only when too long
    return zh, lines[n + 1].strip()


def said_in_html(html: str, chinese: str) -> tuple[str, str]:
    """The sentence holding ``chinese`` and followed by a grey English span: its Chinese (what stands
    before the span, or the line break before it, back to the previous sentence or line break), and
    the English."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for english in soup.find_all("span", lang="en"):
        pieces = []
        for piece in english.previous_siblings:  # the Chinese may end with a line break (an alert card)
            if getattr(piece, "name", None) == "br" and not pieces:
                continue
            if getattr(piece, "name", None) == "br" or getattr(piece, "attrs", {}).get("lang") == "en":
                break
            pieces.insert(0, piece.get_text() if hasattr(piece, "get_text") else str(piece))
        before = "".join(pieces).strip()
        if chinese in before:
            found.append((before, english.get_text()))
    [said] = found
    return said


def numbers(sentence: str) -> list[str]:
    """Every figure of a sentence — counts, shares, durations, dates, times — in order of size."""
    return sorted(re.findall(r"\d+", sentence), key=lambda n: (int(n), n))


def test_a_figure_sentence_gives_the_weeks_figures_in_chinese_then_english() -> None:
    text, html = render_text(digest()), render_html(digest())
    zh, en = said_in_text(text, "240 条帖子")
    assert (zh, en) == ("240 条帖子，负面 50 %，新开 1 个告警", "240 posts, 50 % negative, 1 alert opened")
    assert numbers(zh) == numbers(en) == ["1", "50", "240"]
    assert said_in_html(html, "240 条帖子") == (zh, en)


def test_a_what_changed_line_says_the_change_in_chinese_with_the_same_figures() -> None:
    week, previous = figures(), last_week()
    made = digest(week, previous, changes=what_changed(week, previous, now=week.period.end))
    zh, en = said_in_text(render_text(made), "监测帖共")
    assert (zh, en) == (
        "监测帖共 240 条帖子，比上周 129 条增加 86 %",
        "Posts on watched threads: 240, up 86 % from 129",
    )
    assert numbers(zh) == numbers(en) == ["86", "129", "240"]
    assert said_in_html(render_html(made), "监测帖共") == (zh, en)


def test_an_attention_line_says_what_is_overdue_in_chinese_the_title_and_name_once() -> None:
    made = digest(attention=Attention((alert(5, acknowledged=True, due=timedelta(hours=-2)),)))
    zh, en = said_in_text(render_text(made), "#5 [紧迫 urgent]")
    assert zh == "#5 [紧迫 urgent] 客服电话打不通 — 张敏：首次联系 12-06 23:00 起已超时"
    assert en == "first contact overdue since 12-06 23:00"  # the tag, title and name are not said again
    assert numbers(zh.partition("：")[2]) == numbers(en) == ["00", "06", "12", "23"]
    assert said_in_html(render_html(made), "首次联系 12-06 23:00 起已超时")[1] == en


def test_an_alert_card_fact_says_how_it_was_handled_in_chinese_with_the_same_figures() -> None:
    text, html = render_text(digest()), render_html(digest())
    zh, en = said_in_text(text, "按时完成首次联系")
    assert zh == "按时完成首次联系（2 小时 10 分） · 清单 4/6 · 2 条进展记录 · 已解决"
    assert en == "first contact on time (2 h 10 min) · checklist 4/6 · 2 progress notes · resolved"
    assert numbers(zh) == numbers(en) == ["2", "2", "4", "6", "10"]
    assert said_in_html(html, "按时完成首次联系") == (zh, en)
    zh, en = said_in_text(text, "发言人 张敏")
    assert (zh, en) == (
        "发言人 张敏 · 12-01 09:30 开启 · 25 分钟内确认",
        "spokesperson 张敏 · opened 12-01 09:30 · acknowledged in 25 min",
    )
    assert numbers(zh) == numbers(en)


def test_the_as_of_note_says_when_in_both_languages_once() -> None:
    made = digest(
        attention=Attention((alert(5), alert(6, spokesperson="李娜", acknowledged=True, contacted=True)))
    )
    text = render_text(made)
    headings = [line for line in text.splitlines() if "as of" in line]
    assert headings == [
        "待处理 Needs attention now（截至 as of 12-07 01:00）",
        "各发言人未结告警 Open on each spokesperson（截至 as of 12-07 01:00）",
    ]
    soup = BeautifulSoup(render_html(made), "html.parser")
    assert [h2.get_text() for h2 in soup.find_all("h2") if "as of" in h2.get_text()] == headings
