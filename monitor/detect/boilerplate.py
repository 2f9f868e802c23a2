"""A board's boilerplate: what most of its threads open with, which tells nothing of their story.

Boards give complaints a template (商家名称：… 问题描述：… 诉求：…) and posters have stock phrases
(具体情况如下, 已经和商家沟通多次没有结果, 大家帮忙转发, 已投诉12315). Two different complaints on
such a board share those trigrams, and the story check (:mod:`monitor.detect.story`) would read them
as one story: the second joining the first's alert as its spread and never alerting on its own. The
real Discuz! board in the test fixtures has 15 complaints opening "具体情况如下： 已经和商家沟通多次
没有结果，想问问大家有什么好的办法。": any two of them scored 0.59-0.69 against the 0.1 threshold.

So the trigrams found in at least ``share`` of a board's recent opening posts are left out when a
thread of that board is compared. A story's own words are in one thread per board (a second one on
the same board is a repost), so a story told on a few boards keeps them; a board with fewer than
``min_threads`` recent threads cannot tell a template from a coincidence and drops nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from monitor.detect.story import shingle_set


def board_boilerplate(
    openings: Iterable[str], ignore: Sequence[str], share: float, min_threads: int
) -> frozenset[int]:
    """The trigram hashes in at least ``share`` (and at least 2) of ``openings`` (title and opening
    post of a board's recent threads), with the watch terms ``ignore`` removed as the story check does."""
    counts: Counter[int] = Counter()
    threads = 0
    for text in openings:
        threads += 1
        counts.update(shingle_set(text, ignore))
    if threads < min_threads:
        return frozenset()
    need = max(2, math.ceil(share * threads))
    return frozenset(h for h, seen in counts.items() if seen >= need)
