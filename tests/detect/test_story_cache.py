"""The story check's shingle cache holds a busy watch group's recent threads: each thread is compared
with all of them in the same order, which a least-recently-used cache smaller than the group misses
every time (a scale benchmark: 2,000 watched threads, every comparison re-read its text)."""

from __future__ import annotations

from monitor.detect import story


def test_two_thousand_stories_compared_again_are_read_once() -> None:
    texts = [f"第{n}号投诉：途乐旅行收了我{n}元团费，行程取消后{n % 97}个月不退款" for n in range(2000)]
    story._shingles.cache_clear()
    for _ in range(2):  # two threads, each compared with the group's 2,000 in turn
        for text in texts:
            story.story_shingles(text)
    info = story._shingles.cache_info()
    assert (info.misses, info.hits) == (2000, 2000)
