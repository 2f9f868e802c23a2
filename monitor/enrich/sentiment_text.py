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
punctuation other than ``!`` and ``?``. With ``negation`` it marks the words a negator
negates (:func:`negate`: ``没掉线`` → ``没 NOT_掉线``), so a model learns "no more
disconnects" apart from "disconnects".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence

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

# Negation (:func:`negate`). Negators are whole words as SnowNLP's segmenter finds them: it joins
# most fixed phrases where the negator is part of another word (不错, 不过, 不仅, 不得不, 没事,
# 没关系, 无聊, 别人, 受不了 …), and those are not negators.
NEGATORS = frozenset(
    {"不", "没", "没有", "未", "别", "无", "不再", "从未", "从没", "并未", "并没有", "毫无"}
    | {"绝不", "决不", "永不", "再也不", "再也没", "不会", "无需", "不用", "不必", "勿", "甭"}
)
NEGATION_SCOPE = 2
"""How many words after a negator are negated (particles such as 了 and 过 not counted)."""
NOT_NEGATED = frozenset({"了", "过", "的", "着", "啊", "吧", "呢", "吗", "啦", "呀", "哦", "嘛", "得", "地"})
"""Particles inside a negator's scope that stay plain words (不X了 is common in every tone)."""
NEGATED = "NOT_"
"""Prefix of a negated word. Cleaned text is lower case and ``_`` ends a word, so no word has it."""


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


def tokens(cleaned: str, segment: Segment, *, negation: bool = False) -> Iterator[str]:
    """Words of cleaned text: Chinese runs through ``segment``, letters/digits as runs, others alone.

    With ``negation``, each clause's words go through :func:`negate`; a clause ends at any
    punctuation mark, emoticon, symbol or space.
    """
    clause: list[str] = []
    end = 0
    for match in _TOKEN.finditer(cleaned):
        emoticon, chinese, word, other = match.groups()
        if match.start() > end and clause:  # a space between two matches ends a clause
            yield from negate(clause) if negation else clause
            clause = []
        end = match.end()
        if chinese:
            clause.extend(segment(chinese))
            continue
        if word:
            clause.append(word)
            continue
        if clause:
            yield from negate(clause) if negation else clause
            clause = []
        if emoticon:
            yield emoticon
        elif other not in SENTENCE_MARKS and (other in FEATURE_MARKS or not _is_punctuation(other)):
            yield other
    yield from negate(clause) if negation else clause


def negate(words: Sequence[str]) -> list[str]:
    """The words of one clause with those a negator negates marked ``NOT_``.

    A negator (:data:`NEGATORS`) negates the next :data:`NEGATION_SCOPE` words of its clause and
    is then dropped: on its own 没 or 不 is negative evidence in the training posts, which made
    "没再掉线了" read as a complaint. Particles (:data:`NOT_NEGATED`) in between stay plain and do
    not count. A negator inside another's scope cancels it (double negation: ``没有 不 满意`` →
    ``满意``). A negator with nothing left to negate in its clause stays a plain word
    (``退款 还 没``). ``没 再 掉线 了`` → ``NOT_再 NOT_掉线 了``.
    """
    marked: list[str] = []
    scope = 0
    waiting: int | None = None  # where the last negator stands while it has negated nothing yet
    for word in words:
        if word in NEGATORS:
            if scope:  # double negation: both go
                if waiting is not None:
                    del marked[waiting]
                scope, waiting = 0, None
            else:
                scope, waiting = NEGATION_SCOPE, len(marked)
                marked.append(word)
        elif scope and word not in NOT_NEGATED:
            if waiting is not None:
                del marked[waiting]
                waiting = None
            marked.append(NEGATED + word)
            scope -= 1
        else:
            marked.append(word)
    return marked


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PZC"


def has_words(cleaned: str) -> bool:
    """Whether cleaned text has any letter, digit or Chinese character (emoji-only posts have none)."""
    return any(match.group(2) or match.group(3) for match in _TOKEN.finditer(cleaned))


def is_emoticon(token: str) -> bool:
    """Whether a token is a Weibo-style emoticon tag such as ``[泪]``."""
    return token.startswith("[") and token.endswith("]") and len(token) > 2
