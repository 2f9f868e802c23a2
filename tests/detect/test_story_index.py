"""The story index finds exactly what the pairwise story check finds (monitor.detect.story_index).

Random Chinese-ish threads (deterministic seed; no fixture file): stories built from a few shared
passages over a small alphabet (so unrelated texts share some trigrams too), a posting template on
some boards (learned as their boilerplate by :func:`board_boilerplate`), threads without a board
id, short and empty texts, the watch terms sprinkled in. Each thread is checked against the group
by the index and by :func:`find_spread`; the Spreads must be equal — the same copies, the same
similarities to the float, the same order — while the group grows as threads join it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.detect.boilerplate import board_boilerplate
from monitor.detect.spread import StoryThread, find_spread
from monitor.detect.story_index import StoryIndex

TERMS = ["途乐旅行", "途乐"]
START = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
Drops = dict[int | None, frozenset[int]]  # board id -> its boilerplate
_ALPHABET = "退款客服投诉团费行程取消三个月不我们的了是在说要找律师记者维权旅行社导游酒店机票订单电话没有回复"
_TEMPLATES = {
    1: "【投诉对象】【事情经过】【诉求】具体情况如下：",
    2: "已经和商家沟通多次没有结果，大家帮忙转发",
    3: "",
    4: "",
}


def _passage(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_ALPHABET, k=length))


def _group(rng: random.Random, size: int) -> list[StoryThread]:
    """``size`` threads of boards 1-4 (1 and 2 with a template) and of no board."""
    passages = [_passage(rng, rng.randint(8, 60)) for _ in range(12)]
    threads = []
    for tid in range(1, size + 1):
        board = rng.choice([1, 2, 3, 4, None])
        kind = rng.random()
        if kind < 0.08:
            text = rng.choice(["", "途乐", "好", "退款了", "途乐旅行", "ab"])
        else:
            parts = [*rng.sample(passages, rng.randint(0, 3)), _passage(rng, rng.randint(0, 80))]
            if rng.random() < 0.3:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(TERMS))
            rng.shuffle(parts)
            template = _TEMPLATES.get(board or 0, "") if rng.random() < 0.8 else ""
            text = template + "，".join(parts)
        title = f"{rng.choice(TERMS)}{_passage(rng, rng.randint(0, 6))}"
        posted = START + timedelta(minutes=rng.randint(0, 600)) if rng.random() < 0.9 else None
        threads.append(
            StoryThread(
                thread_id=tid,
                forum=rng.choice(["消费维权论坛", "驴友社区"]),
                board=f"版{board}",
                title=title,
                text=f"{title}\n{text}",
                replies=rng.randint(0, 30),
                first_post_at=posted,
                board_id=board,
            )
        )
    return threads


def _boilerplate(threads: list[StoryThread]) -> Drops:
    found: Drops = {None: frozenset()}
    for board in (1, 2, 3, 4):
        texts = [t.text for t in threads if t.board_id == board]
        found[board] = board_boilerplate(texts, TERMS, 0.3, 5)
    return found


def test_the_index_finds_the_same_spread_as_comparing_each_pair() -> None:
    rng = random.Random(20240601)
    checked = copies = 0
    for round_ in range(6):
        group = _group(rng, 150)
        index = StoryIndex(TERMS)
        threshold = [0.05, 0.1, 0.2, 0.5, 1.0, 0.1][round_]
        # the group grows as threads join it; a check at a moment leaves out the threads posted later;
        # the boards' boilerplate is learned again from their threads (hourly, in the product)
        for joined in (40, 41, 90, 150, 150):
            drops = _boilerplate(group[:joined])
            assert drops[1] and drops[2]  # the templates are boilerplate: the test leaves them out

            def boilerplate(
                told: StoryThread, drops: dict[int | None, frozenset[int]] = drops
            ) -> frozenset[int]:
                return drops[told.board_id]

            now = START + timedelta(minutes=rng.choice([300, 600]))
            candidates = [t for t in group[:joined] if t.first_post_at is None or t.first_post_at <= now]
            for own in group[:joined:3] + group[joined:][:3]:
                for _ in range(2):  # the same list again: not followed twice
                    indexed = index.find_spread(own, candidates, threshold, boilerplate)
                    pairwise = find_spread(own, candidates, TERMS, threshold, boilerplate)
                    assert indexed == pairwise, (round_, joined, own.thread_id)
                checked += 1
                copies += len(pairwise.copies)
    assert checked > 500 and copies > 500  # the comparison saw many copies, not only empty spreads


def test_a_duplicate_thread_and_a_text_told_twice_keep_find_spreads_order() -> None:
    rng = random.Random(11)
    group = _group(rng, 60)
    same_text = [StoryThread(900 + n, "驴友社区", "版3", "t", group[5].text, n, None, 3) for n in range(3)]
    again = [replace(group[5], replies=n) for n in (40, 41)]
    candidates = [*group, again[0], *same_text, again[1]]  # a thread read thrice, a text posted 4 times
    drops = _boilerplate(group)
    index = StoryIndex(TERMS)
    for own in (group[5], same_text[1], group[0]):
        expected = find_spread(own, candidates, TERMS, 0.1, lambda t: drops[t.board_id])
        assert index.find_spread(own, candidates, 0.1, lambda t: drops[t.board_id]) == expected


def test_without_boilerplate_and_with_a_threshold_of_zero() -> None:
    group = _group(random.Random(5), 80)
    index = StoryIndex(TERMS)
    for own in group[::5]:
        assert index.find_spread(own, group, 0.1) == find_spread(own, group, TERMS, 0.1)
        # 0: every thread is a copy, sharing a trigram or not (the pairwise path)
        everyone = index.find_spread(own, group, 0.0)
        assert everyone == find_spread(own, group, TERMS, 0.0)
        assert len(everyone.copies) == len(group) - 1


def test_texts_no_longer_read_are_dropped_once_they_outnumber_those_read() -> None:
    rng = random.Random(3)
    index = StoryIndex(TERMS)
    for _ in range(5):  # five groups of other texts in turn: the index holds at most two of them
        group = _group(rng, 100)
        own = group[0]
        assert index.find_spread(own, group, 0.1) == find_spread(own, group, TERMS, 0.1)
        assert index.texts <= 2 * 100 + 64
