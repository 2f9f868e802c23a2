"""The fast segmenter and stock scorer give SnowNLP's own words and scores, exactly.

Reads the 800 labelled posts in ``tests/fixtures/sentiment/`` (see its README).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from snownlp import SnowNLP, seg

from monitor.enrich.segment import FastSegmenter, default_segmenter
from monitor.enrich.segment_table import SegmentTable
from monitor.enrich.sentiment import SnowNLPScorer
from monitor.enrich.sentiment_text import CHINESE_RUN

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sentiment"


@pytest.fixture(scope="module")
def posts() -> list[str]:
    texts: list[str] = []
    for path in sorted(FIXTURES.glob("*_dev200.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            texts.extend(row["text"] for row in csv.DictReader(stream))
    assert len(texts) == 800
    return texts


EDGE_RUNS = [
    "",
    "好",
    "㐀㐁好",  # characters SnowNLP's model has never seen (outside its training data)
    "鿏鿏鿏",
    "的的的的的的的的的的",
    "工厂又出事故了已经有人受伤",
    "这个产品质量太差了客服态度恶劣",
    "一" * 500,
]


def test_fast_segmenter_gives_snownlps_words(posts: list[str]) -> None:
    fast = default_segmenter()
    runs = sorted({run for text in posts for run in CHINESE_RUN.findall(text)}) + EDGE_RUNS
    assert len(runs) > 3000
    different = [run for run in runs if fast.segment(run) != seg.single_seg(run)]
    assert different == []


def test_fast_segmenter_tags_every_character() -> None:
    fast = FastSegmenter(SegmentTable.from_model(seg.segger.segger))
    tags = fast.tag("工厂又出事故了")
    assert len(tags) == 7 and set(tags) <= {0, 1, 2, 3}
    assert fast.segment("工厂又出事故了") == ["工厂", "又", "出", "事故", "了"]


def test_stock_scorer_gives_snownlps_scores_faster(posts: list[str]) -> None:
    scorer = SnowNLPScorer(negative_below=0.5)
    texts = [t for t in posts if len(t.strip()) >= 2][:400]
    started = time.perf_counter()
    expected = [SnowNLP(t).sentiments for t in texts]
    snownlp_seconds = time.perf_counter() - started
    scorer.score("预热")  # the first call builds nothing large, but keep timing fair
    started = time.perf_counter()
    got = [scorer.score(t) for t in texts]
    fast_seconds = time.perf_counter() - started
    assert got == expected  # equal floats, not approximately
    assert fast_seconds < snownlp_seconds


def test_stock_scorer_on_the_rest_of_the_posts_and_odd_text(posts: list[str]) -> None:
    scorer = SnowNLPScorer(negative_below=0.5)
    texts = [*[t for t in posts if len(t.strip()) >= 2][400:], "hello world 你好 ??", "ok 好 。。。 bad"]
    assert [scorer.score(t) for t in texts] == [SnowNLP(t).sentiments for t in texts]
