"""The volume section says, per watch group, whether it catches noise: how many of its threads do not
read as complaints and which terms matched them (``星耀品牌 … 9 of 14 threads not complaints · matched
by 星耀 ×12, 星耀Pro14 ×2``), in the text and the HTML.

Builds :class:`Digest` values directly with test_render_digest's factories (no database); the figures
read from a real store are tested in test_figures.py.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from test_render_digest import SCRIPT, digest, figures, section

from monitor.digest.model import GroupVolume
from monitor.digest.render import render_html, render_text

BRAND = GroupVolume(
    "星耀品牌", threads=14, new_threads=9, posts=83, scored=80, negative=20, not_complaints=9,
    terms=(("星耀", 12), ("星耀Pro14", 2)),
)  # fmt: skip
TRAVEL = GroupVolume(
    "途乐旅行", threads=12, new_threads=5, posts=180, scored=160, negative=96, terms=(("途乐", 12),)
)


def test_each_group_says_how_many_threads_are_not_complaints_and_its_matched_terms() -> None:
    text = render_text(digest(figures(groups=(TRAVEL, BRAND))))
    assert section(text, "各监测组声量 Volume by watch group").splitlines()[2:7] == [
        "  途乐旅行: 帖数 Posts 180 (120) · 主题 Threads 12 (8) · 新主题 New threads 5 (3) · "
        "负面 Negative 60 % (40 %)",
        "    匹配词 matched by：途乐 ×12",  # every thread reads as a complaint: no count
        "  星耀品牌: 帖数 Posts 83 (0) · 主题 Threads 14 (0) · 新主题 New threads 9 (0) · "
        "负面 Negative 25 % (—)",
        "    14 个主题帖中 9 个不像投诉 · 匹配词 matched by：星耀 ×12、星耀Pro14 ×2",
        "    9 of 14 threads not complaints",
    ]


def test_many_terms_stop_after_three_and_a_quiet_group_says_nothing_more() -> None:
    many = GroupVolume(
        "星耀品牌", threads=6, new_threads=0, posts=6, scored=6, negative=0, not_complaints=1,
        terms=(("星耀", 2), ("星耀Pro14", 1), ("星耀X", 1), ("星耀手表", 1), ("星耀耳机", 1)),
    )  # fmt: skip
    text = render_text(digest(figures(groups=(many,))))
    lines = section(text, "各监测组声量 Volume by watch group").splitlines()
    assert lines[3:5] == [
        "    6 个主题帖中 1 个不像投诉 · 匹配词 matched by：星耀 ×2、星耀Pro14 ×1、星耀X ×1，"
        "另有 2 个词 and 2 other terms",
        "    1 of 6 threads not complaints",
    ]
    # 途乐旅行 and 携程 had threads last week only: their rows are last week's, with no line under them
    assert lines[5].startswith("  途乐旅行: 帖数 Posts 0 (120)") and lines[6].startswith(
        "  携程: 帖数 Posts 0 (9)"
    )
    assert lines[7].startswith("  一个主题帖被两个监测组匹配时")


def test_the_html_row_says_it_under_the_group_escaped() -> None:
    odd = GroupVolume(
        SCRIPT, threads=2, new_threads=0, posts=5, scored=5, negative=0, not_complaints=2,
        terms=((SCRIPT, 2),),
    )  # fmt: skip
    html = render_html(digest(figures(groups=(BRAND, odd))))
    assert SCRIPT not in html
    heading = BeautifulSoup(html, "html.parser").find(
        "h2", string=re.compile("^各监测组声量 Volume by watch group")
    )
    table = heading.find_next("table")
    rows = [  # the table's own rows and cells (the bars are tables inside them)
        [cell.get_text() for cell in row.find_all(["td", "th"], recursive=False)]
        for row in table.find_all("tr", recursive=False)
    ]
    assert rows[2][0] == "星耀品牌"
    assert rows[3] == [
        "14 个主题帖中 9 个不像投诉 · 匹配词 matched by：星耀 ×12、星耀Pro14 ×2 "
        "9 of 14 threads not complaints"
    ]
    assert rows[5] == [
        f"2 个主题帖中 2 个不像投诉 · 匹配词 matched by：{SCRIPT} ×2 "
        f"2 of 2 threads not complaints"
    ]
