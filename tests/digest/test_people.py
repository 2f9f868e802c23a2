"""People in the digest named without their job titles, each title said once (monitor.digest.people)."""

from __future__ import annotations

import pytest

from monitor.digest.people import split_title, without_titles


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("李娜（公关部发言人）", ("李娜", "公关部发言人")),
        ("Li Na (PR lead)", ("Li Na", "PR lead")),
        ("王强", ("王强", "")),
        ("（公关部）", ("（公关部）", "")),  # nothing left without it: kept whole
        ("陈洁（危机公关）总监", ("陈洁（危机公关）总监", "")),  # not at the end: not a title
    ],
)
def test_a_title_is_what_the_name_ends_with_in_brackets(name: str, expected: tuple[str, str]) -> None:
    assert split_title(name) == expected


def test_two_people_who_would_read_alike_keep_their_titles() -> None:
    shown, titles = without_titles(
        {"a": "李娜（公关部发言人）", "b": "李娜（客服专员）", "c": "王强（客服总监）", "d": "赵敏"}
    )
    assert shown == {"a": "李娜（公关部发言人）", "b": "李娜（客服专员）", "c": "王强", "d": "赵敏"}
    assert titles == (("王强", "客服总监"),)
