"""The shared HTML helpers: parsing whatever a forum sends, ids, containment, text, cut-off items."""

from __future__ import annotations

import pytest

from monitor.errors import ParseError
from monitor.sources.markup import (
    by_id,
    by_ids,
    complete,
    inside,
    parse_fragment,
    parse_html,
    text_content,
    text_of,
)
from monitor.sources.plaintext import TextRules, split_text


def test_xhtml_page_with_an_encoding_declaration_parses() -> None:
    """libxml2 refuses a Python string that declares an encoding; old XHTML templates do."""
    page = '<?xml version="1.0" encoding="gbk"?>\n<html><body><p id="a">途乐</p></body></html>'
    assert text_of(by_id(parse_html(page, "u"), "a")) == "途乐"


def test_control_characters_do_not_stop_the_parser() -> None:
    root = parse_html("<p id='a'>a\x00b\x01c</p>", "u")
    assert text_content(by_id(root, "a")).startswith("a\ufffdb")


@pytest.mark.parametrize("text", ["", "   \n", "<!-- only a comment -->"])
def test_no_document_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_html(text, "http://x/")


def test_ids_containment_and_text() -> None:
    root = parse_html(
        '<div id="post_1"><p id="postmessage_1">一<!-- 注释 -->二</p></div><p id="postmessage_2">三</p>'
        '<p id="postmessage_1">duplicate</p>',
        "u",
    )
    post = by_id(root, "post_1")
    assert post is not None
    found = by_ids(root, ["postmessage_1", "postmessage_2", "missing", "has space"])
    assert sorted(found) == ["postmessage_1", "postmessage_2"]
    assert text_content(found["postmessage_1"]) == "一二"  # the first of a repeated id; comments left out
    assert inside(found["postmessage_1"], post) and not inside(found["postmessage_2"], post)
    assert by_id(root, "postmessage_2", within=post) is None


def test_complete_drops_an_item_nothing_follows() -> None:
    whole = parse_html("<ul><li>1</li><li>2</li></ul><p>end</p>", "u")
    cut = parse_html("<ul><li>1</li><li>2", "u")
    assert len(complete(whole.findall(".//li"))) == 2
    assert len(complete(cut.findall(".//li"))) == 1


def test_fragment_text_with_quotes_and_line_breaks() -> None:
    body = parse_fragment(
        "第一行<br>第二行 <b>粗</b> <i>斜</i><blockquote><cite>甲 写了:</cite>被引用</blockquote>"
        "<p>段落</p><script>x()</script><img alt='图'>"
    )
    words = split_text(
        body, TextRules(quote=lambda e: e.tag == "blockquote", attribution=lambda e: e.tag == "cite")
    )
    assert words.text == "第一行\n第二行 粗 斜\n\n段落"
    assert words.quoted == "被引用"
    assert split_text(parse_fragment(""), TextRules()).text == ""
