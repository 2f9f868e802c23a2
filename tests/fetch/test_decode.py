"""decode_page: header charset, <meta>, XML declaration, sniffing, truncation, garbage.

Fixtures: tests/fixtures/discuz/gbk/viewthread_tid2_p1.html (GBK bytes, <meta charset="gbk" />)
and tests/fixtures/discuz/utf8/viewthread_tid2_p1.html (UTF-8 bytes, <meta charset="utf-8" />);
the mobile API replies, RSS feeds and printable pages named in each test.
"""

from __future__ import annotations

import json
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


# ---------------------------------------------------------------- JSON, RSS, wrong declarations


def read(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def raw_json(path: str, encoding: str) -> bytes:
    """The captured API reply re-serialised without \\u escapes, in ``encoding`` (as Discuz!
    plugins and older versions send it)."""
    return json.dumps(json.loads(read(path)), ensure_ascii=False).encode(encoding)


def test_gbk_json_without_charset_header_reads_its_charset_member() -> None:
    """gbk/mobileapi_viewthread_tid4.json (ASCII with \\u escapes and "Charset":"GBK", served as
    application/json) and the same reply in raw GBK bytes: both read the same."""
    captured = read("gbk/mobileapi_viewthread_tid4.json")
    assert json.loads(decode_page(captured, "application/json"))["Charset"] == "GBK"
    body = raw_json("gbk/mobileapi_viewthread_tid4.json", "gbk")
    assert declared_charset(body) == "gb18030"
    text = decode_page(body, "application/json")
    assert "深圳打工人" in text and "\ufffd" not in text
    assert json.loads(text) == json.loads(captured)


def test_gbk_rss_without_charset_header_reads_its_xml_declaration() -> None:
    """gbk/rss_fid2.xml: <?xml ... encoding="gbk"?>, served as application/xml."""
    body = read("gbk/rss_fid2.xml")
    text = decode_page(body, "application/xml")
    assert TITLE in text and "\ufffd" not in text.split("<item>")[1]
    assert decode_page(body, None) == text


def test_gbk_html_without_charset_header() -> None:
    body = read("gbk/printable_tid4.html")
    assert decode_page(body, None) == decode_page(body, "text/html; charset=gbk")
    assert "快递丢件 &amp; 赔偿只给" in decode_page(body, None)


@pytest.mark.parametrize(
    "path", ["utf8/viewthread_tid2_p1.html", "utf8/rss_fid2.xml", "utf8/printable_tid4.html"]
)
def test_utf8_page_declared_gbk_is_still_utf8(path: str) -> None:
    """A proxy or a misconfigured site says charset=gbk over UTF-8 bytes."""
    body = read(path)
    assert decode_page(body, "text/html; charset=gbk") == decode_page(body, "text/html; charset=utf-8")


def test_utf8_json_declared_gbk_is_not_mojibake() -> None:
    """Short UTF-8 Chinese decodes under GB18030 without a single error, as mojibake (途乐旅行
    becomes 6 other characters), so a strict decode alone cannot tell: the declared gbk must
    not win over bytes that are valid UTF-8."""
    body = '{"Charset":"GBK","subject":"途乐旅行"}'.encode()
    assert body.decode("gb18030") != body.decode("utf-8")  # no error, wrong text
    assert "途乐旅行" in decode_page(body, "application/json; charset=gbk")
    assert "途乐旅行" in decode_page(
        raw_json("utf8/mobileapi_viewthread_tid2_p1.json", "utf-8"), "text/html; charset=gbk"
    )


def test_gbk_page_declared_utf8_everywhere_is_still_gbk() -> None:
    """Header and <meta> both claim UTF-8 over GBK bytes: UTF-8 does not fit, GB18030 does."""
    body = fixture("gbk").replace(b'<meta charset="gbk" />', b'<meta charset="utf-8" />')
    assert TITLE in decode_page(body, "text/html; charset=utf-8")


def test_big5_page_declared_big5_stays_big5() -> None:
    """Valid-UTF-8 detection only wins where the bytes are UTF-8: Big5 text is not."""
    body = '<meta charset="big5"><p>臺灣論壇 投訴</p>'.encode("big5")
    assert "臺灣論壇 投訴" in decode_page(body, None)


@pytest.mark.parametrize("label", ["rot13", "base64", "idna", "unicode_escape", "undefined", "utf-7"])
def test_codecs_no_web_page_uses_are_ignored(label: str) -> None:
    assert charset_of(f"text/html; charset={label}") is None
    assert decode_page("<p>途乐</p>".encode(), f"text/html; charset={label}") == "<p>途乐</p>"


def test_utf16_declared_without_bom_does_not_raise() -> None:
    assert isinstance(decode_page(b"\x00\x00", "application/xml; charset=utf-16"), str)
    assert decode_page("<p>途乐</p>".encode("utf-16-le"), "text/html; charset=utf-16le") == "<p>途乐</p>"
