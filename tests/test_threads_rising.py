"""``monitor threads rising`` output: scraped text is cleaned for the terminal (rows built here)."""

from __future__ import annotations

import pytest

from monitor.admin.rising import RisingThread, render_rising
from monitor.cli import main


def _row(**changes: object) -> RisingThread:
    base: dict[str, object] = {
        "thread_id": 7,
        "source": "演示论坛",
        "board": "投诉维权",
        "title": "途乐旅行退款",
        "url": "http://x/7",
        "replies": 1,
        "watch_group": "途乐旅行",
        "score": -0.25,
        "would_alert": False,
        "severity": "general",
        "alert_id": None,
        "alert_severity": None,
        "spread_of_alert": False,
        "figures": ("1 reply in the last 60 min (1/h)",),
    }
    base.update(changes)
    return RisingThread(**base)  # type: ignore[arg-type]


def test_titles_and_reasons_lose_terminal_escapes_and_bidi_overrides() -> None:
    text = render_rising(
        [_row(title="\x1b[2J\x1b[31m途乐\u202e旅行\n退款", figures=("evil\x1b]0;pwned\x07 reason",))],
        6,
        0.0,
        1.0,
        2.0,
    )
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert " -0.2  below            [2J[31m途乐旅行 退款 — 投诉维权 · 演示论坛, 1 reply [途乐旅行]" in text
    assert "         - evil]0;pwned reason" in text


def test_states_long_titles_and_an_empty_list() -> None:
    rows = [
        _row(score=2.5, alert_id=3, alert_severity="very_urgent", title="长" * 60),
        _row(thread_id=8, score=0.4, would_alert=True, severity="urgent"),
        _row(thread_id=9, score=None, alert_id=3, spread_of_alert=True),
        _row(thread_id=10, score=-0.5, severity="urgent", figures=("紧迫 urgent: set by regulator",)),
    ]
    lines = render_rising(rows, 6, 0.0, 1.0, 2.0).splitlines()
    header = "Watched threads seen in the last 6 h, by escalation score (alert at +0.0, 紧迫 at +1.0, "
    assert lines[0] == header + "非常紧迫 at +2.0):"
    assert lines[1].startswith(" +2.5  alert #3 非常紧迫 ") and "长" * 40 + "… —" in lines[1]
    assert lines[3].startswith(" +0.4  would alert 紧迫 ")
    assert lines[5].startswith("  n/a  spread of #3 ")
    # below the alert line, yet a regulator named: its tier line is the tier it would alert at
    assert lines[7].startswith(" -0.5  below (would be 紧迫) ")
    assert render_rising([], 2, 0.0, 1.0, 2.0).splitlines()[1] == "  (none)"


def test_hours_that_are_not_a_positive_number_are_refused_as_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--hours nan had ended in a traceback (cannot convert float NaN to integer)."""
    for given in ("nan", "inf", "0", "-3"):
        with pytest.raises(SystemExit) as stopped:
            main(["threads", "rising", "--hours", given])
        assert stopped.value.code == 2
        assert f"not a positive number of hours: '{given}'" in capsys.readouterr().err


def test_a_thread_in_several_groups_names_the_others_after_its_own() -> None:
    rows = [_row(watch_group="途乐旅行", also_groups=("退款\x1b[31m监控", "售后"))]
    text = render_rising(rows, 6, 0.0, 1.0, 2.0)
    assert text.splitlines()[1].endswith("1 reply [途乐旅行 · also 退款[31m监控, 售后]")
    assert render_rising([_row()], 6, 0.0, 1.0, 2.0).splitlines()[1].endswith("1 reply [途乐旅行]")
    assert rows[0].as_dict()["also_groups"] == ["退款\x1b[31m监控", "售后"]
