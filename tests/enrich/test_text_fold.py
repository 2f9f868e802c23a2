"""Folding (Traditional/Simplified, full-width, case, invisible characters) and the term index.

Texts are written in the test; the OpenCC comparison reads opencc-python-reimplemented's own
dictionary when that package is installed."""

from __future__ import annotations

import pytest

from monitor.enrich.text import TermIndex, fold, fold_term, normalise, t2s_table


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("途樂旅行收了我２萬８團費", "途乐旅行收了我2万8团费"),
        ("ＳＴＡＲ 星耀ｐｒｏ14", "star 星耀pro14"),
        ("３·１５晚會", "3·15晚会"),
        ("（消協）", "(消协)"),
        ("途\u200b乐\ufeff旅行", "途乐旅行"),  # zero-width characters dodge keyword filters
        ("a \t\n\u3000 b", "a b"),
        ("café", "café"),
        ("cafe\u0301", "café"),  # decomposed accent composes
        ("", ""),
        ("😀😀", "😀😀"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_spans_map_back_to_the_original_text() -> None:
    text = "回覆：\n\n途\u200b樂  旅行"
    folded = fold(text)
    start = folded.text.index("途乐")
    begin, end = folded.source_span(start, start + 2)
    assert text[begin:end] == "途\u200b樂"
    assert folded.source_span(0, 0) == (0, 0)


def test_expanding_characters_keep_their_source() -> None:
    folded = fold("㈱途乐")
    assert folded.text == "(株)途乐"
    assert folded.source_span(0, 3) == (0, 1)
    assert folded.source_span(3, 5) == (1, 3)


def test_lone_surrogates_from_bad_decoding_become_replacement_characters() -> None:
    assert fold("ab\udcffc").text == "ab\ufffdc"


def test_fold_is_a_homomorphism_so_terms_are_found_where_they_stood() -> None:
    left, right = "乾隆年間的後來", "發現頭髮"
    assert fold(left + right).text == fold(left).text + fold(right).text


def test_normalise_and_fold_term_strip() -> None:
    assert normalise("  途樂  ") == "途乐"
    assert fold_term(" ＴｕＬｅ ") == "tule"


def test_term_index_finds_overlapping_terms_once_each() -> None:
    index = TermIndex([("途乐", "a"), ("途乐园", "b"), ("途乐", "c")])
    hits = [(start, end, term, values) for start, end, term, values in index.find("去途乐园")]
    assert sorted(hits) == [(1, 3, "途乐", ["a", "c"]), (1, 4, "途乐园", ["b"])]
    assert len(index) == 2
    assert list(TermIndex([]).find("anything")) == []


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("byd", "byd 汽车", True),
        ("byd", "bydx", False),
        ("pro14", "星耀pro14", True),
        ("pro14", "pro145", False),
        ("iphone", "iphone15", True),
        ("at&t", "用at&t的卡", True),
        ("at&t", "bat&t", False),
    ],
)
def test_ascii_terms_respect_word_edges(term: str, text: str, found: bool) -> None:
    assert bool(list(TermIndex([(term, 1)]).find(text))) is found


def test_shipped_table_agrees_with_opencc() -> None:
    opencc = pytest.importorskip("opencc")
    from importlib import resources

    dictionary = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    expected = {}
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        traditional, simplified = line.split("\t")
        first = simplified.split(" ")[0]
        if len(traditional) == 1 and len(first) == 1 and traditional != first:
            expected[traditional] = first
    assert t2s_table() == expected
    sample = "途樂旅行收了我兩萬八團費，行程取消後三個月不退款！客服電話永遠打不通，我已經請了律師。"
    assert fold(sample).text == fold(opencc.OpenCC("t2s").convert(sample)).text
