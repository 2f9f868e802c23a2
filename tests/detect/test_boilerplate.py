"""A board's boilerplate is left out of the story check: two complaints that share a board's stock
opening are not one story, and a story told on several boards still is.

The texts are the real Discuz! X3.5 board's (tests/fixtures/discuz/utf8/openings.json): board 2
holds 21 threads, 15 of them short complaints opening with the same two sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.config.settings import DetectSettings
from monitor.detect.boilerplate import board_boilerplate
from monitor.detect.spread import StoryThread, find_spread
from monitor.detect.story import story_similarity

OPENINGS = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "discuz" / "utf8" / "openings.json").read_text(
        "utf-8"
    )
)["threads"]
TEXT = {t["tid"]: f"{t['subject']}\n{t['opening']}" for t in OPENINGS}
BOARD_2 = [TEXT[t["tid"]] for t in OPENINGS if t["fid"] == 2]
TERMS = ["途乐旅行", "途乐"]
SETTINGS = DetectSettings()
# tids 8 and 9: 网购的羽绒服含绒量不达标 / 驾校报名后教练迟迟不安排练车, both "具体情况如下：…"
DOWN_JACKET, DRIVING_SCHOOL = 8, 9
REFUND = 2  # 途乐旅行收了我2万8团费，行程取消后三个月不退款！


def _boilerplate(texts: list[str]) -> frozenset[int]:
    return board_boilerplate(
        texts, TERMS, SETTINGS.story_boilerplate_share, SETTINGS.story_boilerplate_threads
    )


def test_two_complaints_sharing_the_boards_stock_opening_are_not_one_story() -> None:
    drop = _boilerplate(BOARD_2)
    assert len(BOARD_2) == 21
    as_before = story_similarity(TEXT[DOWN_JACKET], TEXT[DRIVING_SCHOOL], TERMS)
    assert as_before >= 0.5  # the stock opening made them "the same story"
    assert story_similarity(TEXT[DOWN_JACKET], TEXT[DRIVING_SCHOOL], TERMS, drop) < SETTINGS.story_similarity


def test_a_story_keeps_its_own_words_on_a_board_with_a_template() -> None:
    drop = _boilerplate(BOARD_2)
    retold = "避雷！途乐旅行收了我2万8团费，日本本州7日游行程取消后三个月不退款，一家三口28600元"
    assert story_similarity(TEXT[REFUND], TEXT[REFUND], TERMS, drop) == 1.0
    assert story_similarity(TEXT[REFUND], retold, TERMS, drop) >= SETTINGS.story_similarity
    assert story_similarity(TEXT[REFUND], TEXT[DOWN_JACKET], TERMS, drop) < SETTINGS.story_similarity


def test_a_board_with_few_threads_has_no_boilerplate() -> None:
    few = BOARD_2[: SETTINGS.story_boilerplate_threads - 1]
    assert _boilerplate(few) == frozenset()
    assert _boilerplate(BOARD_2[: SETTINGS.story_boilerplate_threads]) != frozenset()


def test_a_phrase_on_few_of_the_boards_threads_is_not_boilerplate() -> None:
    """A story copied onto 2 of 21 threads' worth of a board (under 30 %) keeps its trigrams."""
    copied = [*BOARD_2[:19], TEXT[REFUND], TEXT[REFUND]]
    drop = _boilerplate(copied)
    assert story_similarity(TEXT[REFUND], TEXT[REFUND], TERMS) == 1.0
    assert story_similarity(TEXT[REFUND], TEXT[REFUND], TERMS, drop) == 1.0
    assert story_similarity(TEXT[DOWN_JACKET], TEXT[DRIVING_SCHOOL], TERMS, drop) < SETTINGS.story_similarity


def _told(tid: int, board: str, board_id: int) -> StoryThread:
    text = TEXT[tid]
    return StoryThread(tid, "消费维权论坛", board, text.split("\n")[0], text, 3, None, board_id)


def test_spread_leaves_out_each_boards_boilerplate() -> None:
    """A complaint posted on the templated board and another board's complaint with the same stock
    sentences: spread without the boilerplate, none with it; a real cross-post still spreads."""
    boards = {2: _boilerplate(BOARD_2), 3: frozenset[int]()}
    own = _told(DOWN_JACKET, "投诉维权", 2)
    other = _told(DRIVING_SCHOOL, "旅游天地", 3)
    cross_post = StoryThread(99, "消费维权论坛", "旅游天地", "转帖", TEXT[DOWN_JACKET], 1, None, 3)

    def board_of(told: StoryThread) -> frozenset[int]:
        return boards[told.board_id or 0]

    as_before = find_spread(own, [other, cross_post], TERMS, SETTINGS.story_similarity)
    assert [c.thread.thread_id for c in as_before.copies] == [99, DRIVING_SCHOOL]
    spread = find_spread(own, [other, cross_post], TERMS, SETTINGS.story_similarity, board_of)
    assert [c.thread.thread_id for c in spread.copies] == [99]
    assert spread.other_boards == ("旅游天地",)
