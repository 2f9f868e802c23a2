"""The packaged demo script (``monitor/demo/scenario.yaml``): the story it tells, and its loader."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.demo.forum import Forum
from monitor.demo.scenario import Scenario, load_scenario
from monitor.errors import ConfigError

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario()


def test_boards_and_a_quiet_history_before_the_start(scenario: Scenario) -> None:
    assert [(b.fid, b.name) for b in scenario.boards] == [(2, "投诉维权"), (3, "旅游天地"), (4, "数码产品")]
    assert scenario.duration_minutes == 360
    history = [t for t in scenario.threads if t.created_minutes < 0]
    assert {t.fid for t in history} == {2, 3, 4}
    assert all(t.created_minutes <= -700 for t in history)  # created days (at least hours) before
    assert sum(t.fid == 2 for t in scenario.threads) > 20  # so the board list has a second page
    rules = scenario.thread("rules")
    assert rules.sticky and rules.fid == 2 and "版规" in rules.subject and rules.posts[0].author == "admin"
    # Discuz hands out thread ids in creation order
    by_creation = sorted(scenario.threads, key=lambda t: t.created_minutes)
    assert [t.tid for t in by_creation] == sorted(t.tid for t in scenario.threads)


def test_the_story_trickles_then_takes_off(scenario: Scenario) -> None:
    story = scenario.thread("story")
    first = story.posts[0]
    assert (story.fid, story.expect, first.author, first.at_minutes) == (2, "alert", "维权小王", 10)
    assert story.subject == "途乐旅行收了我2万8团费，行程取消后三个月不退款！"
    replies = [p.at_minutes for p in story.posts[1:]]
    assert len(replies) >= 60
    early = [m for m in replies if m < first.at_minutes + 90]
    assert 3 <= len(early) <= 5  # 2-3 an hour for the first hour and a half
    per_hour = Counter(int(m // 60) for m in replies)
    assert all(10 <= per_hour[hour] <= 20 for hour in (2, 3, 4, 5)), per_hour
    assert len({p.author for p in story.posts}) >= 30
    assert sum(("我也遇到" in p.text or "同样被" in p.text or "+1" in p.text) for p in story.posts) >= 10
    assert sum(p.quote is not None for p in story.posts) >= 5


def test_lawyer_journalist_official_and_the_spread_come_in_order(scenario: Scenario) -> None:
    story = scenario.thread("story")

    def first_post(author_part: str) -> float:
        return next(p.at_minutes for p in story.posts if author_part in p.author)

    lawyer, journalist, official = first_post("律师"), first_post("记者"), first_post("官方客服")
    assert 170 <= lawyer <= 190 and 200 <= journalist <= 220 and journalist < official <= 230
    assert any("集体诉讼" in p.text for p in story.posts if "律师" in p.author)
    assert any("晚报" in p.text for p in story.posts if "记者" in p.author)
    angry = [p for p in story.posts if p.quote and story.posts[p.quote - 1].author == "途乐旅行官方客服"]
    assert len(angry) >= 3
    spread = scenario.thread("spread")
    assert spread.fid == 3 and spread.expect == "alert" and 235 <= spread.created_minutes <= 250
    assert spread.subject.startswith("避雷！途乐旅行退款拖了三个月")
    assert len(spread.posts) >= 4
    assert [e.tid for e in scenario.events] == [26, 26, 26, 26, 30, 26]


def test_quiet_threads_run_alongside(scenario: Scenario) -> None:
    during = [t for t in scenario.threads if 0 <= t.created_minutes <= 360 and t.expect == "quiet"]
    assert {t.key for t in during} == {"yunnan_review", "router_help", "courier"}
    review = scenario.thread("yunnan_review")
    assert review.fid == 3 and "途乐" in review.subject + review.posts[0].text
    assert review.posts[-1].at_minutes - review.posts[0].at_minutes > 240  # spread over hours
    assert scenario.thread("router_help").fid == 4
    assert all(t.expect == "quiet" for t in scenario.threads if t.key not in ("story", "spread"))


def test_populate_puts_the_script_into_the_forum(scenario: Scenario) -> None:
    forum = Forum(now=START)
    scenario.populate(forum, START)
    assert [b.name for b in forum.boards()] == ["投诉维权", "旅游天地", "数码产品"]
    story = scenario.thread("story")
    forum.now = START + timedelta(minutes=scenario.duration_minutes)
    assert forum.replies(story.tid) == len(story.posts) - 1
    posts = forum.visible_posts(story.tid)
    assert [p.posted_at for p in posts] == [START + timedelta(minutes=p.at_minutes) for p in story.posts]
    for post, scripted in zip(posts, story.posts, strict=True):
        if scripted.quote:
            assert post.quote is not None and post.quote.author == story.posts[scripted.quote - 1].author
    every = [p for t in scenario.threads for p in forum.all_posts(t.tid)]
    assert sorted(p.pid for p in every) == list(range(1, len(every) + 1))
    assert [p.pid for p in sorted(every, key=lambda p: (p.posted_at, p.tid))] == sorted(p.pid for p in every)
    forum.now = START
    assert not forum.is_visible(story.tid) and forum.is_visible(scenario.thread("rules").tid)


def test_stock_snownlp_reads_the_story_negative_and_the_review_positive(scenario: Scenario) -> None:
    snownlp = pytest.importorskip("snownlp")

    def negative_share(key: str) -> float:
        scores = [float(snownlp.SnowNLP(p.text).sentiments) for p in scenario.thread(key).posts]
        return sum(s < 0.5 for s in scores) / len(scores)

    assert negative_share("story") >= 0.7
    assert negative_share("yunnan_review") <= 0.2


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_script_names_every_problem(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
name: broken
duration_minutes: 60
boards:
  - {fid: 2, name: 投诉维权}
threads:
  - tid: 1
    key: a
    fid: 9
    subject: 标题
    colour: red
    posts:
      - {at_minutes: 5, author: 甲, text: 正文}
      - {at_minutes: 3, author: 乙, text: +1}
      - {at_minutes: 7, author: 丙, text: 引用, quote: 4}
  - tid: 1
    key: b
    fid: 2
    subject: 另一个
    expect: maybe
    posts: []
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    problems = "\n".join(caught.value.problems)
    assert f"{path}: threads[0].fid: board 9 is not in boards" in problems
    assert "threads[0].colour: unknown key" in problems
    assert (
        "threads[0].posts[1].text: must be a non-empty string, got 1" in problems
    )  # YAML read +1 as a number
    assert "threads[0].posts[2].quote: must be the floor of an earlier post" in problems
    assert "threads[1].expect: must be 'alert' or 'quiet'" in problems
    assert "threads[1].posts: must be a non-empty list" in problems


def test_out_of_order_posts_and_duplicate_ids_are_reported(tmp_path: Path) -> None:
    thread = (
        "  - {{tid: {tid}, key: {key}, fid: 2, subject: 标题, posts: "
        "[{{at_minutes: {a}, author: 甲, text: 一}}, {{at_minutes: {b}, author: 乙, text: 二}}]}}\n"
    )
    text = "name: x\nduration_minutes: 60\nboards: [{fid: 2, name: 版}]\nthreads:\n"
    text += thread.format(tid=1, key="a", a=5, b=1) + thread.format(tid=1, key="a", a=1, b=2)
    with pytest.raises(ConfigError) as caught:
        load_scenario(_write(tmp_path, text))
    problems = caught.value.problems
    assert any("threads[0].posts[1].at_minutes: earlier than the post before it" in p for p in problems)
    assert any("threads.tid: 1 used by more than one thread" in p for p in problems)
    assert any("threads.key: 'a' used by more than one thread" in p for p in problems)
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(_write(tmp_path, "threads: [\n"))
