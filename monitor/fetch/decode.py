"""Turn the bytes a forum serves into text: one function, every charset rule in one place.

Chinese forums declare their charset inconsistently (a GBK site behind a proxy that says
``charset=utf-8``, a page with only a ``<meta>``, an RSS feed with only an XML declaration),
and a crawl can stop mid-page. :func:`decode_page` tries, in order:

1. a byte-order mark;
2. the ``charset`` of the ``Content-Type`` header;
3. a ``<meta charset>``, ``<meta http-equiv content="...charset=...">`` or
   ``<?xml ... encoding=...?>`` in the first 2 KB;
4. UTF-8, then GB18030.

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
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def charset_of(content_type: str | None) -> str | None:
    """The codec named by a ``Content-Type`` value (``text/html; charset=gbk`` -> ``gb18030``).

    ``None`` when the header has no charset or names one Python does not know.
    """
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def declared_charset(body: bytes) -> str | None:
    """The codec a ``<meta>`` tag or XML declaration in the first 2 KB of ``body`` names."""
    head = body[:SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
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
    candidates = list(dict.fromkeys([*declared, "utf-8", "gb18030"]))
    for codec in candidates:
        if _fits(body, codec):
            if declared and codec != declared[0]:
                logger.debug("page does not decode as declared %s; read as %s", declared[0], codec)
            return body.decode(codec, errors="replace")
    fallback = declared[0] if declared else "gb18030"
    logger.debug("no charset fits the page; decoding as %s with replacement characters", fallback)
    return body.decode(fallback, errors="replace")


def _codec(label: str) -> str | None:
    """Python's codec name for a charset label, ``None`` for unknown labels."""
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _fits(body: bytes, codec: str) -> bool:
    """Whether ``body`` decodes strictly under ``codec``, allowing a cut-off last character."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(body, final=False)
    except UnicodeDecodeError:
        return False
    return True
