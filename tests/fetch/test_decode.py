"""decode_page: header charset, <meta>, XML declaration, sniffing, truncation, garbage.

Fixtures: tests/fixtures/discuz/gbk/viewthread_tid2_p1.html (GBK bytes, <meta charset="gbk" />)
and tests/fixtures/discuz/utf8/viewthread_tid2_p1.html (UTF-8 bytes, <meta charset="utf-8" />).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.fetch.decode import charset_of, declared_charset, decode_page

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discuz"
TITLE = "途乐旅行收了我2万8团费，行程取消后三个月不退款！"


def fixture(charset: str) -> bytes:
    return (FIXTURES / charset / "viewthread_tid2_p1.html").read_bytes()


def without_meta(body: bytes) -> bytes:
    stripped = body.replace(b'<meta charset="gbk" />', b"").replace(b'<meta charset="utf-8" />', b"")
    assert declared_charset(stripped) is None
    return stripped


@pytest.mark.parametrize(
    ("content_type", "codec"),
    [
        ("text/html; charset=gbk", "gb18030"),
        ("text/html; charset=GB2312", "gb18030"),
        ('text/html; charset="utf-8"', "utf-8"),
        ("text/html;charset=Big5", "big5hkscs"),
        ("text/html", None),
        ("text/html; charset=x-made-up", None),
        (None, None),
    ],
)
def test_charset_of(content_type: str | None, codec: str | None) -> None:
    assert charset_of(content_type) == codec


def test_header_charset() -> None:
    """gbk/viewthread_tid2_p1.html as served: Content-Type says gbk."""
    assert TITLE in decode_page(fixture("gbk"), "text/html; charset=gbk")


def test_gbk_fixture_without_header_uses_meta() -> None:
    """gbk/viewthread_tid2_p1.html with no Content-Type: its <meta charset="gbk" /> decides."""
    assert declared_charset(fixture("gbk")) == "gb18030"
    assert TITLE in decode_page(fixture("gbk"), None)
    assert TITLE in decode_page(fixture("gbk"), "text/html")


def test_gbk_fixture_without_any_hint_is_sniffed() -> None:
    """gbk/viewthread_tid2_p1.html with its <meta> removed and no header: not UTF-8, so GB18030."""
    assert TITLE in decode_page(without_meta(fixture("gbk")), None)


def test_utf8_fixture_without_any_hint() -> None:
    """utf8/viewthread_tid2_p1.html with its <meta> removed and no header."""
    assert TITLE in decode_page(without_meta(fixture("utf8")), None)


def test_wrong_header_loses_to_a_meta_that_fits() -> None:
    """gbk/viewthread_tid2_p1.html behind a proxy claiming utf-8."""
    assert TITLE in decode_page(fixture("gbk"), "text/html; charset=utf-8")


def test_http_equiv_meta_and_gbk_only_characters() -> None:
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body>陶喆 镕</body></html>"
    ).encode("gbk")  # 喆 and 镕 are in GBK but not in GB2312
    assert "陶喆 镕" in decode_page(body, None)


def test_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="gbk"?><rss><title>投诉维权</title></rss>'.encode("gbk")
    assert "投诉维权" in decode_page(body, "application/xml")


def test_big5_reads_hkscs_characters() -> None:
    body = "<p>臺灣 㗎</p>".encode("big5hkscs")  # 㗎 is an HKSCS addition to Big5
    assert "臺灣 㗎" in decode_page(body, "text/html; charset=big5")


def test_utf8_bom_wins() -> None:
    body = "\ufeff<p>途乐</p>".encode("utf-8")
    assert decode_page(body, "text/html; charset=gbk") == "<p>途乐</p>"


@pytest.mark.parametrize("charset", ["utf8", "gbk"])
def test_truncated_mid_character_keeps_the_charset(charset: str) -> None:
    """<charset>/viewthread_tid2_p1.html with no hint, cut one byte into the title's second character."""
    encoding = "utf-8" if charset == "utf8" else "gbk"
    body = without_meta(fixture(charset))
    cut = body.index(TITLE.encode(encoding)) + len(TITLE[0].encode(encoding)) + 1
    text = decode_page(body[:cut], None)
    assert text.startswith("<!DOCTYPE html>")
    assert text.endswith("<title>途\ufffd")
    assert "\ufffd" not in text[:-1]


def test_garbage_bytes_decode_with_replacement() -> None:
    garbage = bytes([0x80, 0xFF, 0x00, 0xC3, 0x28, 0xA0, 0xFE, 0xFE, 0x81]) * 20
    text = decode_page(garbage, "text/html; charset=x-made-up")
    assert isinstance(text, str)
    assert "\ufffd" in text
