"""Text preparation for sentiment scoring: cleaning, sentence splitting and tokens.

The same functions run when a model is trained and when a post is scored, so a model never
sees text prepared differently from what it was trained on. :func:`clean`:

* removes URLs and ``@name`` mentions (``//@name:`` retweet markers become a sentence break);
* collapses runs of one punctuation mark (``!!!``, ``？？？``; the Weibo data has ``??`` runs
  where characters were lost to an encoding error) to one;
* folds width and case (NFKC, lower case), Traditional to Simplified characters (SnowNLP's
  ``zh2hans``, :mod:`monitor.enrich.simplified`) and digits to ``0``, and drops lone
  surrogates (text decoded with ``surrogateescape``).

:func:`tokens` keeps Weibo emoticon tags such as ``[泪]`` as tokens of their own (a model
decides how much they count), segments Chinese with SnowNLP's segmenter
(:mod:`monitor.enrich.segment`, without importing SnowNLP) and drops
punctuation other than ``!`` and ``?``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from monitor.enrich.simplified import to_simplified

# Chinese runs are segmented into words by SnowNLP's segmenter (the same range SnowNLP uses).
CHINESE_RUN = re.compile("[\u4e00-\u9fa5]+")
_TOKEN = re.compile("(\\[[^\\[\\]\\s]{1,10}\\])|([\u4e00-\u9fa5]+)|([^\\W_\u4e00-\u9fa5]+)|(\\S)")
_URL = re.compile(r"(?:https?://|www\.)[0-9a-z\-._~:/?#@!$&'()*+,;=%]*")
_RETWEET = re.compile(r"//\s*@[^\s:@/]{1,30}[:]?")
_MENTION = re.compile(r"(?:回复)?@[^\s:@,.!/]{1,30}[:]?")
_REPEATED_MARK = re.compile(r"([^\w\s])\1+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；…\n])")
# Tokens that end a sentence; they are not features themselves (``!`` and ``?`` are).
SENTENCE_MARKS = frozenset(".;。；…")
FEATURE_MARKS = frozenset("!?")

Segment = Callable[[str], list[str]]


def sanitise(text: str) -> str:
    """Replace lone surrogates (text decoded with ``surrogateescape``, broken JSON) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str) -> str:
    """The text a model sees: see the module docstring. Newlines are kept (they end sentences)."""
    text = unicodedata.normalize("NFKC", sanitise(text)).lower().replace("\ufffd", " ")
    text = _URL.sub(" ", text)
    text = _RETWEET.sub("\n", text)
    text = _MENTION.sub(" ", text)
    text = _REPEATED_MARK.sub(r"\1", text)
    text = _DIGITS.sub("0", text)
    text = to_simplified(text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n") if line.strip())


def sentences(cleaned: str) -> list[str]:
    """Split cleaned text after 。！？；… (and their ASCII forms) and newlines."""
    return [part.strip() for part in _SENTENCE_END.split(cleaned) if part.strip()]


def tokens(cleaned: str, segment: Segment) -> Iterator[str]:
    """Words of cleaned text: Chinese runs through ``segment``, letters/digits as runs, others alone."""
    for match in _TOKEN.finditer(cleaned):
        emoticon, chinese, word, other = match.groups()
        if emoticon:
            yield emoticon
        elif chinese:
            yield from segment(chinese)
        elif word:
            yield word
        elif other not in SENTENCE_MARKS and (other in FEATURE_MARKS or not _is_punctuation(other)):
            yield other


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PZC"


def has_words(cleaned: str) -> bool:
    """Whether cleaned text has any letter, digit or Chinese character (emoji-only posts have none)."""
    return any(match.group(2) or match.group(3) for match in _TOKEN.finditer(cleaned))


def is_emoticon(token: str) -> bool:
    """Whether a token is a Weibo-style emoticon tag such as ``[泪]``."""
    return token.startswith("[") and token.endswith("]") and len(token) > 2
