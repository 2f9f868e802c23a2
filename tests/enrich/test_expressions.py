"""The boolean watch-expression parser: precedence, quotes, full-width operators, errors with columns."""

from __future__ import annotations

import pytest

from monitor.enrich.expressions import (
    And,
    ExpressionError,
    Not,
    Or,
    Term,
    evaluate,
    parse,
    reasons,
    render,
    terms,
)


def _keys(expression: str) -> list[str]:
    return [t.key for t in terms(parse(expression))]


def test_not_binds_tighter_than_and_tighter_than_or() -> None:
    node = parse("a OR b AND NOT c")
    assert node == Or((Term("a", "a"), And((Term("b", "b"), Not(Term("c", "c"))))))
    assert render(node) == "a OR b AND NOT c"
    assert render(parse("(a OR b) AND c")) == "(a OR b) AND c"


@pytest.mark.parametrize(
    ("expression", "present", "holds"),
    [
        ("途乐 AND (退款 OR 投诉) AND NOT 招聘", {"途乐", "退款"}, True),
        ("途乐 AND (退款 OR 投诉) AND NOT 招聘", {"途乐", "退款", "招聘"}, False),
        ("途乐 AND (退款 OR 投诉) AND NOT 招聘", {"途乐"}, False),
        ("a OR b AND c", {"a"}, True),
        ("(a OR b) AND c", {"a"}, False),
        ("NOT NOT a", {"a"}, True),
        ("a and not b", {"a"}, True),  # keywords in any case
    ],
)
def test_evaluate(expression: str, present: set[str], holds: bool) -> None:
    assert evaluate(parse(expression), present) is holds


def test_symbols_and_the_chinese_input_methods_full_width_forms() -> None:
    assert render(parse("a & b | !c")) == "a AND b OR NOT c"
    assert render(parse("a && b || c")) == "a AND b OR c"
    assert render(parse("（途乐 ＆ 退款）｜ ！招聘")) == "途乐 AND 退款 OR NOT 招聘"


def test_quoted_phrases_keep_spaces_operators_and_keywords() -> None:
    assert _keys("\"星耀 Pro14\" OR 'AT&T' OR “张 总” OR 「and」") == ["星耀 pro14", "at&t", "张 总", "and"]
    assert render(parse('"AT&T" AND "and"')) == '"AT&T" AND "and"'


def test_terms_are_folded_like_the_text() -> None:
    assert _keys("途樂 AND ＴｕＬｅ") == ["途乐", "tule"]


def test_reasons_name_the_terms_found_and_the_absent_ones_that_count() -> None:
    node = parse("途乐 AND (退款 OR 投诉) AND NOT 招聘")
    assert reasons(node, {"途乐", "投诉"}) == ["途乐", "投诉", "NOT 招聘"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "empty expression at column 1"),
        ("   ", "empty expression at column 1"),
        ("途乐 AND 退款) OR 投诉", "unexpected ')' at column 10"),
        (")", "unexpected ')' at column 1"),
        ("(途乐 OR 退款", "unclosed '(' at column 1"),
        ("途乐 AND", "expected a term after 'AND', got the end at column 7"),
        ("途乐 OR OR 退款", "expected a term after 'OR', got 'OR' at column 7"),
        ("NOT", "expected a term after 'NOT', got the end at column 4"),
        ('途乐 AND "退款', 'unclosed quote " at column 8'),
        ('途乐 AND ""', "empty phrase at column 8"),
        (
            "星耀 Pro14",
            "missing AND or OR before 'Pro14' (to search for a phrase with a space, quote it: "
            '"星耀 Pro14") at column 4',
        ),
        (
            "(a b)",
            "missing AND or OR before 'b' (to search for a phrase with a space, quote it: \"a b\") "
            "at column 4",
        ),
        ("()", "unexpected ')' at column 2"),
    ],
)
def test_errors_name_the_column(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    assert str(caught.value) == message


def test_error_columns_count_characters_not_bytes() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("途乐旅行 AND 退款)")
    assert caught.value.column == 12
