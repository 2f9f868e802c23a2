"""Whether a post's 我也遇到了 counts as resonance: the one rule, for the pipeline and for ops.

A reply that says "me too" (the ``resonance`` signal of ``lexicon/signals.yaml``: 我也遇到了,
同样被坑, +1 …) counts as resonance — others recognising the same problem — unless it shares
a good experience instead ("我也遇到了很热情的店员，点赞"). :func:`read_me_too` refuses it when

- the post's own words read clearly positive: a sentiment score of at least
  :data:`ME_TOO_POSITIVE_FROM` (forum-v1; me-too complaints score at most about 0.5:
  "我也是，支持楼主" 0.49, "+1" 0.49, "我也遇到了" 0.25); or
- the me-too's own clause praises (:data:`PRAISE_WORDS`: 点赞, 好评, 热情, 贴心 …) and the post
  has no complaint word anywhere in its own words (:data:`COMPLAINT_WORDS`: 投诉, 退款, 坑, 骗 …).
  The model scores such praise anywhere from 0.3 to 0.6, like neutral complaints, so the score
  alone cannot tell them apart.

The clause runs from the phrase holding the me-too (after the last comma) to the end of its
sentence (。！？；, a line break or …); a bare me-too, nothing but punctuation and particles around
it ("我也是！", "服务很好，+1"), takes its whole sentence and the next. A praise word does not
count when it is denied just before it (不热情, 不是很满意, 没耐心), when it is part of a longer
phrase that is no praise (很好奇, 昧着良心, 满意的答复), or when it backs the poster rather than the
company (感谢楼主, 谢谢提醒, 点赞楼主). A complaint word anywhere in the post keeps the me-too: a
complaint missed costs more than a praise counted.

The pipeline stores a refused me-too neither as ``Post.me_too`` nor among the post's signals, so
the count of me-too authors, the alert's "first at floor N" and the routing by signal agree;
``monitor watch test`` shows the same reading with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from monitor.enrich.signals import RESONANCE, Signal
from monitor.enrich.text import fold, fold_term

ME_TOO_POSITIVE_FROM = 0.6
"""A me-too post scoring this or more (forum-v1: clearly positive) does not count as resonance."""

PRAISE_WORDS = (
    "点赞", "好评", "五星", "热情", "贴心", "给力", "靠谱", "耐心", "周到", "良心", "满意", "感谢",
    "谢谢", "很好", "挺好", "特别好", "非常好", "不错", "很棒", "真棒", "超棒", "太棒", "愉快",
    "开心", "很负责", "负责任", "专业", "值得", "强烈推荐", "推荐给", "表扬", "称赞",
)  # fmt: skip
"""Clear praise of the company or its people, in the me-too's clause."""

COMPLAINT_WORDS = (
    "投诉", "举报", "维权", "曝光", "12315", "消协", "律师", "起诉", "退款", "退钱", "不退", "没退",
    "押金", "到账", "赔", "坑", "骗", "忽悠", "套路", "差评", "很差", "太差", "垃圾", "黑心", "不给",
    "拒绝", "推脱", "敷衍", "踢皮球", "拖着", "变脸", "联系不上", "打不通", "找不到", "没消息", "没下文",
    "没人", "不理", "不回", "不管", "不解决", "没解决", "不处理", "没处理", "还没", "到现在", "至今",
    "失望", "无语", "气死", "恶心", "上当", "悔", "不满", "问题", "故障", "毛病",
    # praise taken back: 态度倒是很好，就是一直不解决; 当初看他们服务热情才报的名
    "但是", "可是", "就是", "倒是", "却", "结果", "然而", "不过", "只是", "当初",
)  # fmt: skip
"""Words of a complaint, or of praise taken back: one anywhere in the post's own words keeps its me-too."""

NOT_PRAISE = ("好奇", "昧着良心", "昧良心", "满意的答复", "满意答复", "满意的结果", "满意的说法")
"""Phrases that hold a praise word without praising."""

BACKING_THE_POSTER = ("楼主", "lz", "分享", "提醒", "科普", "曝光")
"""Right after a praise word, these make it thanks to the poster (感谢楼主, 谢谢提醒), not praise."""

_DENIAL = re.compile(r"[不没未]|(?<!特)别")  # among the few characters before a praise word: denied
_DENIAL_REACH = 3
_CLAUSE_MARK = re.compile(r"[,，、.。!！?？;；:：\s]")
_SENTENCE_END = re.compile(r"[。！？!?；;\n…～~]+")
_PHRASE_END = re.compile(r"[,，、]+")
# all that a bare me-too ("我也遇到了！") holds besides the me-too itself
_BARE = re.compile(r"[\s,，、.。!！?？~～…了啊呀吧呢哦嘛过]+")


@dataclass(frozen=True)
class MeTooReading:
    """A post's 我也遇到了 and whether it counts as resonance."""

    said: Signal | None  # the post's me-too (None: it says none)
    refused: str | None = None  # why it does not count, in words for ops; None: it counts
    score: float | None = None  # the sentiment of the post's own words (None: not scored)

    @property
    def counts(self) -> bool:
        return self.said is not None and self.refused is None

    def explain(self) -> str:
        """In words for ops: "counts as resonance (sentiment 0.12)", or why it does not count."""
        if self.refused is not None:
            return f"does not count as resonance: {self.refused}"
        score = f"sentiment {self.score:.2f}" if self.score is not None else "not scored"
        return f"counts as resonance ({score})"

    def counted_signals(self, signals: Sequence[Signal]) -> list[Signal]:
        """The post's signals as stored: without a me-too that does not count."""
        if self.refused is None:
            return list(signals)
        return [signal for signal in signals if signal.name != RESONANCE]


def read_me_too(text: str, signals: Sequence[Signal], own_score: float | None) -> MeTooReading:
    """Whether the me-too among ``signals`` (found in ``text``, the post's own words) counts.

    ``own_score`` is the sentiment of ``text`` (None: not scored, e.g. too short)."""
    said = next((signal for signal in signals if signal.name == RESONANCE), None)
    if said is None:
        return MeTooReading(None, score=own_score)
    if own_score is not None and own_score >= ME_TOO_POSITIVE_FROM:
        positive = f"the post reads positive (sentiment {own_score:.2f}, at least {ME_TOO_POSITIVE_FROM:.2f})"
        return MeTooReading(said, positive, own_score)
    praise = praise_words(clause(text, said))
    if praise and not complaint_words(text):
        praised = f"its clause praises ({'、'.join(praise)}) and the post has no complaint word"
        return MeTooReading(said, praised, own_score)
    return MeTooReading(said, score=own_score)


def clause(text: str, said: Signal) -> str:
    """The me-too ``said``'s clause in ``text``: from the phrase holding it to the end of its
    sentence; for a bare me-too ("我也是！", "服务很好，+1"), its whole sentence and the next."""
    sentence = max((mark.end() for mark in _SENTENCE_END.finditer(text, 0, said.start)), default=0)
    phrase = max((mark.end() for mark in _PHRASE_END.finditer(text, sentence, said.start)), default=sentence)
    ends = list(_SENTENCE_END.finditer(text, said.end))
    end = ends[0].start() if ends else len(text)
    if _BARE.sub("", text[phrase : said.start] + text[said.end : end]):
        return text[phrase:end]
    return text[sentence : ends[1].start() if len(ends) > 1 else len(text)]


def praise_words(text: str) -> list[str]:
    """The praise words of :data:`PRAISE_WORDS` in ``text`` that praise (folded), in order."""
    plain = fold(text).text
    blocked = [(m.start(), m.end()) for phrase in _folded(NOT_PRAISE) for m in _occurrences(phrase, plain)]
    poster = _folded(BACKING_THE_POSTER)
    found: list[tuple[int, int, str]] = []
    for word in _folded(PRAISE_WORDS):
        for hit in _occurrences(word, plain):
            start, end = hit.span()
            if any(start < high and low < end for low, high in blocked):  # part of a phrase, no praise
                continue
            if _denied(plain, start) or plain[end:].lstrip().startswith(poster):
                continue
            if not any(start < other_end and other_start < end for other_start, other_end, _ in found):
                found.append((start, end, word))
    return [word for _, _, word in sorted(found)]


def complaint_words(text: str) -> list[str]:
    """The words of :data:`COMPLAINT_WORDS` in ``text`` (folded)."""
    plain = fold(text).text
    return [word for word in _folded(COMPLAINT_WORDS) if word in plain]


@cache
def _folded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold_term(word) for word in words)


def _occurrences(word: str, plain: str) -> Iterator[re.Match[str]]:
    return re.finditer(re.escape(word), plain)


def _denied(plain: str, start: int) -> bool:
    """Whether a denial (不, 没, 未, 别) stands just before ``plain[start:]``, in the same phrase."""
    low = max(0, start - _DENIAL_REACH)
    marks = [mark.end() for mark in _CLAUSE_MARK.finditer(plain, low, start)]
    return _DENIAL.search(plain, marks[-1] if marks else low, start) is not None
