"""Turn the bytes a forum serves into text: one function, every charset rule in one place.

Chinese forums declare their charset inconsistently (a GBK site behind a proxy that says
``charset=utf-8``, a page with only a ``<meta>``, an RSS feed with only an XML declaration,
Discuz!'s mobile API with only ``"Charset":"GBK"`` inside its JSON), and a crawl can stop
mid-page. :func:`decode_page` decides, in order:

1. a byte-order mark;
2. a body with non-ASCII bytes that is valid UTF-8 is UTF-8, whatever is declared: real
   GBK/GB18030/Big5 text practically never forms valid UTF-8 (a GBK lead byte 0xB0-0xBF is
   a UTF-8 continuation byte), whereas short UTF-8 Chinese often decodes under GB18030
   without an error, as mojibake (``途乐旅行`` does) — so a wrong ``charset=gbk`` on a UTF-8
   page must not win;
3. the ``charset`` of the ``Content-Type`` header;
4. a ``<meta charset>``, ``<meta http-equiv content="...charset=...">``,
   ``<?xml ... encoding=...?>`` or a JSON ``"Charset": "..."`` member in the first 2 KB;
5. UTF-8, then GB18030.

A candidate is taken only when the body decodes under it without an error, except for an
incomplete character at the very end (a truncated download). GBK and GB2312 are read as
their superset GB18030, Big5 as Big5-HKSCS. When nothing fits, the first declared charset
(else GB18030) decodes with ``errors="replace"``.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

SNIFF_BYTES = 2048

# Labels that name a subset of a codec Python has: decode with the superset, as browsers do.
_SUPERSETS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_NOT_WEB = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_JSON_CHARSET = re.compile(rb'"charset"\s*:\s*"([A-Za-z0-9._:-]+)"', re.IGNORECASE)
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def charset_of(content_type: str | None) -> str | None:
    """The codec named by a ``Content-Type`` value (``text/html; charset=gbk`` -> ``gb18030``).

    ``None`` when the header has no charset or names one Python does not know.
    """
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def declared_charset(body: bytes) -> str | None:
    """The codec a ``<meta>`` tag, XML declaration or JSON ``"Charset"`` member in the first
    2 KB of ``body`` names."""
    head = body[:SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET, _JSON_CHARSET):
        match = pattern.search(head)
        if match:
            codec = _codec(match.group(1).decode("ascii", "replace"))
            if codec:
                return codec
    return None


def decode_page(body: bytes, content_type: str | None) -> str:
    """Decode a fetched page; see the module docstring for the order of the rules."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    declared = [c for c in (charset_of(content_type), declared_charset(body)) if c]
    if _NON_ASCII.search(body):
        text = _decode_if_fits(body, "utf-8")
        if text is not None:
            if declared and declared[0] != "utf-8":
                logger.debug("page declared as %s is valid UTF-8; read as UTF-8", declared[0])
            return text
    candidates = list(dict.fromkeys([*declared, "utf-8", "gb18030"]))
    for codec in candidates:
        text = _decode_if_fits(body, codec)
        if text is not None:
            if declared and codec != declared[0]:
                logger.debug("page does not decode as declared %s; read as %s", declared[0], codec)
            return text
    fallback = declared[0] if declared else "gb18030"
    logger.debug("no charset fits the page; decoding as %s with replacement characters", fallback)
    return body.decode(fallback, errors="replace")


def _codec(label: str) -> str | None:
    """Python's codec name for a charset label; ``None`` for unknown labels and for codecs no
    web page is written in (``rot13``, ``idna``, ``unicode_escape``…)."""
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in _NOT_WEB:
        return None
    return info.name


def _decode_if_fits(body: bytes, codec: str) -> str | None:
    """``body`` decoded under ``codec`` if it decodes strictly, allowing a cut-off last
    character (then replaced by U+FFFD); ``None`` if it does not fit. One pass when it fits."""
    try:
        return body.decode(codec)
    except UnicodeError:  # UnicodeDecodeError, or UTF-16 without a byte-order mark
        pass
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(body, final=False)  # only the last, incomplete character may be wrong
    except UnicodeError:
        return None
    return body.decode(codec, errors="replace")
