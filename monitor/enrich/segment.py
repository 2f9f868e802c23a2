"""SnowNLP's word segmentation, reimplemented to run several times faster with identical words.

SnowNLP segments a run of Chinese characters with a character-based generative model: a
second-order HMM over the tags b/m/e/s (begin, middle, end of a word, single-character word)
whose emission is the character itself, decoded by Viterbi
(``snownlp/seg/y09_2047.py``). Almost all of SnowNLP's sentiment cost is that decoding: it
evaluates 64 interpolated log-probabilities per character from dictionaries keyed by nested
tuples, and copies a path list for every state.

:class:`FastSegmenter` reads SnowNLP's model from a compact table
(:mod:`monitor.enrich.segment_table`; ~20 MB in memory where SnowNLP's package takes over
400 MB), so segmenting never imports SnowNLP. It computes the 64 log-probabilities of a
character triple once (cached; a triple that never occurs in SnowNLP's corpus needs 16, not
64), finding the counts of a character pair or triple with one binary search, and decodes
with back-pointers over integer-coded states. It follows the original step by step — the
same floating-point operations in the same order, the same order of states, the same
tie-breaking (the first state wins a tie; after an unknown character the last state
overwrites rather than compares) — so it yields the same words;
``tests/enrich/test_segment.py`` checks that on thousands of posts (and 150,000 distinct
runs of the training data were checked once). About 5× SnowNLP's speed on new text and
10×–15× once common triples are cached.
"""

from __future__ import annotations

import threading
from math import inf, log

from monitor.enrich.segment_table import SegmentTable, shipped_table

_BOS = 4  # the begin-of-sentence tag, paired with the empty character
_NO_COUNTS = (0, 0, 0, 0, 0)  # a character SnowNLP's model has never seen
# A cached table takes ~2.5 KB: 20,000 hold the common triples (~50 MB at most); 200,000 would
# take ~500 MB for 6 % more speed on new text.
_TABLE_CACHE_SIZE = 20_000

_lock = threading.Lock()
_default: FastSegmenter | None = None


class FastSegmenter:
    """Segments runs of Chinese characters exactly as ``snownlp.seg.single_seg`` does."""

    def __init__(self, table: SegmentTable) -> None:
        """``table``: SnowNLP's model (:func:`~monitor.enrich.segment_table.shipped_table`)."""
        self._model = table
        self._l1 = table.l1
        self._l2 = table.l2
        self._l3 = table.l3
        self._uni_total = table.uni_total
        self._numbers = table.numbers()
        # Each character's counts as b, m, e, s and BOS ('' is the begin-of-sentence character).
        self._uni: dict[str, list[int]] = {
            char: table.uni[number * 5 : number * 5 + 5].tolist() for char, number in self._numbers.items()
        }
        self._tables: dict[str, list[float]] = {}

    def clear_cache(self) -> None:
        """Forget the cached log-probability tables (for benchmarks that start cold)."""
        self._tables.clear()

    def segment(self, run: str) -> list[str]:
        """Words of a run of Chinese characters (the input of ``snownlp.seg.single_seg``)."""
        tags = self.tag(run)
        words: list[str] = []
        current = ""
        for char, tag in zip(run, tags, strict=True):
            if tag == 2:  # e
                words.append(current + char)
                current = ""
            elif tag in (0, 3):  # b, s
                if current:
                    words.append(current)
                current = char
            else:
                current += char
        if current:
            words.append(current)
        return words

    def tag(self, run: str) -> list[int]:
        """Tag indices (0 b, 1 m, 2 e, 3 s) of each character, as SnowNLP's Viterbi picks them."""
        # A state is (previous tag, current tag), kept in SnowNLP's order of first insertion.
        # ``bases`` locates a state's row in a log-probability table; ``currents`` its current
        # tag times 4 (the new state's key is current tag * 4 + next tag).
        bases: list[int] = [(_BOS * 5 + _BOS) * 4]
        currents: list[int] = [_BOS * 4]
        scores: list[float] = [0.0]
        back: list[list[int]] = []
        tags_of: list[list[int]] = []
        c1, c2 = "", ""
        for c3 in run:
            known = self._uni.get(c3)
            slot = [-1] * 20
            new_bases: list[int] = []
            new_currents: list[int] = []
            new_scores: list[float] = []
            parents: list[int] = []
            tags: list[int] = []
            states = range(len(scores))
            table = None if known is None or not any(known[:4]) else self._table(c1, c2, c3)
            for t3 in range(4):
                for j in states:
                    key = currents[j] + t3
                    p = scores[j] if table is None else scores[j] + table[bases[j] + t3]
                    at = slot[key]
                    if at < 0:
                        slot[key] = len(new_scores)
                        new_bases.append((key // 4 * 5 + t3) * 4)  # the row of state (t2, t3)
                        new_currents.append(t3 * 4)
                        new_scores.append(p)
                        parents.append(j)
                        tags.append(t3)
                    elif table is None or p > new_scores[at]:  # unknown character: SnowNLP overwrites
                        new_scores[at] = p
                        parents[at] = j
            bases, currents, scores = new_bases, new_currents, new_scores
            back.append(parents)
            tags_of.append(tags)
            c1, c2 = c2, c3
        if not back:
            return []
        best = max(range(len(scores)), key=scores.__getitem__)  # the first of equal maxima
        result = [0] * len(back)
        for position in range(len(back) - 1, -1, -1):
            result[position] = tags_of[position][best]
            best = back[position][best]
        return result

    def _table(self, c1: str, c2: str, c3: str) -> list[float]:
        """SnowNLP's ``log_prob`` for every (t1, t2, t3) of a character triple, flattened.

        Entries for tags that cannot occur (BOS on a real character) stay ``-inf``, unused.
        """
        key = c1 + c2 + c3  # unambiguous: only leading characters are empty (begin of sentence)
        table = self._tables.get(key)
        if table is not None:
            return table
        l1, l2, l3 = self._l1, self._l2, self._l3
        model, numbers = self._model, self._numbers
        counts2, counts3 = self._uni.get(c2, _NO_COUNTS), self._uni[c3]
        n1, n2, n3 = numbers.get(c1), numbers.get(c2), numbers[c3]
        t1_range = (_BOS,) if c1 == "" else range(4)
        t2_range = (_BOS,) if c2 == "" else range(4)
        uni = [l1 * (float(counts3[t3]) / self._uni_total) for t3 in range(4)]
        # Three in four character triples never occur in SnowNLP's corpus: skip their lookups.
        tri_counts = model.tri_block(n1, n2, n3) if n1 is not None and n2 is not None else {}
        bi_counts = model.bi_block(n2, n3) if n2 is not None else {}
        pair_counts = model.bi_block(n1, n2) if tri_counts and n1 is not None and n2 is not None else {}
        table = [-inf] * 100
        for t2 in t2_range:
            uni2 = counts2[t2]
            bi = [(l2 * bi_counts.get(t2 * 5 + t3, 0)) / uni2 if uni2 else 0 for t3 in range(4)]
            # Without a trigram count SnowNLP adds a zero: log(uni + bi), the same for every t1.
            plain = [log(u + b) if u + b != 0 else -inf for u, b in zip(uni, bi, strict=True)]
            for t1 in t1_range:
                base = (t1 * 5 + t2) * 4
                pair = pair_counts.get(t1 * 5 + t2, 0)
                if not pair:
                    table[base : base + 4] = plain
                    continue
                for t3 in range(4):
                    tri = (l3 * tri_counts.get((t1 * 5 + t2) * 5 + t3, 0)) / pair
                    total = uni[t3] + bi[t3] + tri
                    table[base + t3] = log(total) if total != 0 else -inf
        if len(self._tables) >= _TABLE_CACHE_SIZE:
            self._tables.clear()
        self._tables[key] = table
        return table


def default_segmenter() -> FastSegmenter:
    """The process's segmenter over SnowNLP's shipped model (read on first use, ~0.3 s).

    Raises :class:`~monitor.errors.ConfigError` naming the command that rebuilds the table if
    its file is missing: a monitor that silently fell back to loading SnowNLP would need
    400 MB more memory than its server may have.
    """
    global _default
    with _lock:
        if _default is None:
            _default = FastSegmenter(shipped_table())
        return _default
