"""The weekly digest's HTML email on a phone (375 px) in a real browser (Chromium, headless): its
tables keep names and labels readable — no column squeezed to a character a line.

The email body lets long strings break anywhere (monitor.alerting.email_html), which had let the
browser shrink the watch-group column to one character (途 / 乐 / 旅 / 行 down the screen) and split the
summary's labels inside words ("acknowl / edge", "Change / d hands"). Builds a Digest directly (no
database) and opens the rendered file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.digest.model import (
    AlertReview,
    Attention,
    CategoryCount,
    DaySentiment,
    Digest,
    DigestPeriod,
    GroupVolume,
    OpenAlert,
    WeekFigures,
)
from monitor.digest.render import render_html
from monitor.digest.said import Said

PHONE = (375, 812)
PERIOD = DigestPeriod.week_ending(datetime(2026, 12, 6, 16, 0, tzinfo=UTC), "Asia/Shanghai")
GROUPS = ("途乐旅行", "星耀品牌", "星耀Pro14", "迅达快递")


OVERDUE = OpenAlert(
    alert_id=3, severity="very_urgent", title="途乐旅行收了我2万8团费，到了澳洲酒店没订上",
    spokesperson="李娜（公关部发言人）", acknowledged=False, contacted=False,
    respond_by=PERIOD.end - timedelta(hours=2),
)  # fmt: skip


def _week(period: DigestPeriod, posts: int) -> WeekFigures:
    opened = period.start + timedelta(days=1, hours=2)
    return WeekFigures(
        period=period,
        groups=tuple(
            GroupVolume(
                name, threads=9, new_threads=8, posts=size, scored=size, negative=60, not_complaints=4,
                terms=((name, 7), ("星耀", 2)),  # the line under the group's figures fits the screen too
            )
            for name, size in zip(GROUPS, (posts, posts - 10, posts - 20, posts - 30), strict=True)
        ),
        days=tuple(
            DaySentiment(day=day, posts=posts // 7, scored=posts // 7, negative=5) for day in period.days()
        ),
        top_threads=(),
        alerts=(
            AlertReview(
                alert_id=3, title="途乐旅行收了我2万8团费", url="https://bbs.example.cn/t/3",
                watch_group="途乐旅行", severity="urgent", status="open", spokesperson="李娜（公关部发言人）",
                opened_at=opened, respond_by=opened + timedelta(hours=8), acknowledged_at=None,
                contacted_at=None, resolved_at=None, checklist_done=0, checklist_total=16,
                opened_in_period=True, notes=0,
            ),
        ),
        categories=(CategoryCount("service", 5),),
    )  # fmt: skip


def _lines(browser: object, element: object) -> int:
    """How many lines the element's text is laid out on."""
    return int(
        browser.execute_script(  # type: ignore[attr-defined]
            "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
            "return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;",
            element,
        )
    )


def _width(browser: object, element: object, text: str) -> float:
    """How wide ``text`` is on one line in ``element``'s font."""
    return float(
        browser.execute_script(  # type: ignore[attr-defined]
            "const s = document.createElement('span'); s.style.whiteSpace = 'nowrap';"
            "s.textContent = arguments[1]; arguments[0].appendChild(s);"
            "const w = s.getBoundingClientRect().width; s.remove(); return w;",
            element,
            text,
        )
    )


def test_the_digests_tables_keep_names_and_labels_whole_on_a_phone(tmp_path: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    digest = Digest(
        week=_week(PERIOD, 240),
        previous=_week(PERIOD.previous(), 40),
        changes=(
            Said(
                "监测帖共 240 条帖子，是上周 40 条的 6 倍",
                "Posts on watched threads: 240, 6× the 40 of last week",
            ),
        ),
        generated_at=PERIOD.end + timedelta(hours=1),
        # the blocks at the top fit the screen too (a second alert of hers: "Open on each" is not a repeat)
        attention=Attention((OVERDUE, replace(OVERDUE, alert_id=4, contacted=True))),
    )
    page = tmp_path / "digest.html"
    page.write_text(render_html(digest), encoding="utf-8")
    browser.set_window_size(*PHONE)
    browser.get(page.as_uri())
    cells = {
        cell.text: cell for cell in browser.find_elements(By.CSS_SELECTOR, "td, th") if cell.text.strip()
    }
    for name in GROUPS:  # a watch group's name on a line or two, not a character a line
        assert _lines(browser, cells[name]) <= 2, name
        assert cells[name].size["width"] >= _width(browser, cells[name], name[:4]), name
    for label in (
        "全部监测帖 All watched threads",
        "确认用时中位数 Median time to acknowledge",
        "未及时确认 Not acknowledged in time",
        "按时首次联系 First contact within SLA",
    ):  # broken only between words
        longest = max(label.split(), key=len)
        assert cells[label].size["width"] >= _width(browser, cells[label], longest), label
    block = browser.find_element(By.XPATH, "//h2[starts-with(., '待处理 Needs attention now')]/..")
    assert (
        "首次联系 12-06 22:00 起已超时" in block.text
        and "first contact overdue since 12-06 22:00" in block.text
    )
    mine = browser.find_element(
        By.XPATH, "//h2[starts-with(., '各发言人未结告警 Open on each spokesperson')]/following-sibling::ul"
    )
    assert "李娜（公关部发言人）：#3" in mine.text  # each spokesperson's line fits the screen too
    wide, screen = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen
