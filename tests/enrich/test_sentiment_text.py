"""Text preparation for sentiment: negation marks (``negate``) and where a negator's scope ends.

Pure functions; the segmenter is SnowNLP's (``monitor.enrich.segment``), no model is read.
"""

from __future__ import annotations

import pytest

from monitor.enrich.segment import default_segmenter
from monitor.enrich.sentiment_text import NEGATION_SCOPE, NEGATORS, clean, negate, tokens


def _tokens(text: str, negation: bool = True) -> list[str]:
    return list(tokens(clean(text), default_segmenter().segment, negation=negation))


def test_a_negator_marks_the_next_words_of_its_clause() -> None:
    # the negator goes: on its own 没 / 不 read negative in the training posts
    assert negate(["没", "掉线"]) == ["NOT_掉线"]
    assert negate(["终于", "不", "掉线"]) == ["终于", "NOT_掉线"]
    assert NEGATION_SCOPE == 2
    assert negate(["不", "给", "退款", "啊", "客服"]) == ["NOT_给", "NOT_退款", "啊", "客服"]


def test_a_negator_with_nothing_to_negate_stays_a_word() -> None:
    assert negate(["退款", "还", "没"]) == ["退款", "还", "没"]
    assert negate(["没", "了"]) == ["没", "了"]  # a particle is not negated


def test_particles_in_scope_stay_plain_and_do_not_count() -> None:
    assert negate(["没", "再", "掉线", "了"]) == ["NOT_再", "NOT_掉线", "了"]
    assert negate(["没", "出", "过", "问题"]) == ["NOT_出", "过", "NOT_问题"]


def test_double_negation_cancels() -> None:
    assert negate(["没有", "不", "满意"]) == ["满意"]
    # a third negator opens a new scope
    assert negate(["不", "是", "不", "对", "没", "用"]) == ["NOT_是", "对", "NOT_用"]


def test_words_that_merely_contain_a_negator_are_not_negators() -> None:
    for word in ("不错", "不过", "不仅", "不得不", "没事", "没关系", "无聊", "别人", "受不了"):
        assert word not in NEGATORS
        assert negate([word, "好"]) == [word, "好"]
    assert _tokens("质量不错，物流很快") == ["质量", "不错", "物流", "很快"]


def test_negator_joined_phrases_from_the_segmenter_stay_whole() -> None:
    # SnowNLP's segmenter keeps these together, so nothing after them is negated.
    assert _tokens("不过价格贵") == ["不过", "价格", "贵"]
    assert _tokens("没关系下次再买") == ["没关系", "下次", "再", "买"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没掉，线", ["NOT_掉", "线"]),  # a comma ends the clause
        ("没掉 线", ["NOT_掉", "线"]),  # so does a space
        ("没[哈哈]掉线", ["没", "[哈哈]", "掉线"]),  # and an emoticon (the negator stays: nothing negated)
        ("没!掉线", ["没", "!", "掉线"]),
        ("没掉线。掉线", ["NOT_掉线", "掉线"]),
    ],
)
def test_a_scope_ends_with_its_clause(text: str, expected: list[str]) -> None:
    assert _tokens(text) == expected


def test_letter_words_are_negated_too() -> None:
    assert _tokens("不支持wifi") == ["NOT_支持", "NOT_wifi"]


def test_questions_are_marked_like_statements() -> None:
    # Leaving question clauses unmarked was measured and made no difference (TRAINING.md).
    assert _tokens("为什么不能登录?") == ["为什么", "NOT_能", "NOT_登录", "?"]


def test_without_negation_tokens_are_the_plain_words() -> None:
    assert _tokens("终于不掉线了，谢谢!", negation=False) == ["终于", "不", "掉线", "了", "谢谢", "!"]
    assert _tokens("终于不掉线了，谢谢!") == ["终于", "NOT_掉线", "了", "谢谢", "!"]
