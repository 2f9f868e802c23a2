"""The demo's script: boards, threads and timed posts read from ``scenario.yaml``.

Times are minutes after the scenario start (negative for the boards' history), so one script
plays at any wall-clock time: :meth:`Scenario.populate` puts it into a
:class:`~monitor.demo.forum.Forum` at a given start, and the forum's clock reveals it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import yaml

from monitor.demo.forum import Board, Forum
from monitor.errors import ConfigError
from monitor.yaml_errors import yaml_problem

Expectation = Literal["alert", "quiet"]
_THREAD_KEYS = {"tid", "key", "fid", "subject", "sticky", "expect", "posts"}
_POST_KEYS = {"at_minutes", "author", "text", "quote", "event"}


@dataclass(frozen=True)
class ScenarioPost:
    """One post: ``floor`` 1 opens thread ``tid``; ``quote`` is the floor of a post it quotes."""

    tid: int
    floor: int
    at_minutes: float
    author: str
    text: str
    quote: int | None = None
    event: str | None = None


@dataclass(frozen=True)
class ScenarioThread:
    tid: int
    key: str
    fid: int
    subject: str
    posts: tuple[ScenarioPost, ...]
    sticky: bool = False
    expect: Expectation = "quiet"

    @property
    def created_minutes(self) -> float:
        return self.posts[0].at_minutes


@dataclass(frozen=True)
class ScenarioEvent:
    """A turn of the story worth telling the audience (the post that makes it)."""

    at_minutes: float
    tid: int
    floor: int
    text: str


@dataclass(frozen=True)
class Scenario:
    name: str
    duration_minutes: int
    boards: tuple[Board, ...]
    threads: tuple[ScenarioThread, ...]

    @property
    def posts(self) -> list[ScenarioPost]:
        """Every post of every thread, in time order."""
        every = [post for thread in self.threads for post in thread.posts]
        return sorted(every, key=lambda p: (p.at_minutes, p.tid, p.floor))

    @property
    def events(self) -> list[ScenarioEvent]:
        return [ScenarioEvent(p.at_minutes, p.tid, p.floor, p.event) for p in self.posts if p.event]

    def thread(self, key: str) -> ScenarioThread:
        """The thread named ``key`` in the script (``story``, ``spread``...)."""
        for thread in self.threads:
            if thread.key == key:
                return thread
        raise KeyError(f"no scenario thread {key!r}")

    def populate(self, forum: Forum, start: datetime) -> None:
        """Add the boards and every post to ``forum``, dated ``start`` + ``at_minutes``."""
        for board in self.boards:
            forum.add_board(board.fid, board.name)
        threads = {t.tid: t for t in self.threads}
        for post in self.posts:
            posted_at = start + timedelta(minutes=post.at_minutes)
            thread = threads[post.tid]
            if post.floor == 1:
                forum.add_thread(
                    thread.fid,
                    thread.subject,
                    post.author,
                    posted_at,
                    post.text,
                    tid=thread.tid,
                    sticky=thread.sticky,
                )
            else:
                quote_pid = forum.all_posts(post.tid)[post.quote - 1].pid if post.quote else None
                forum.add_reply(post.tid, post.author, posted_at, post.text, quote_pid=quote_pid)


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and check a scenario file (default: the packaged ``scenario.yaml``).

    Raises :class:`~monitor.errors.ConfigError` listing every problem as ``file: key: message``.
    """
    if path is None:
        name = "scenario.yaml"
        source = resources.files("monitor.demo").joinpath(name).read_text(encoding="utf-8")
    else:
        name = str(path)
        source = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise ConfigError([yaml_problem(name, exc)]) from exc
    reader = _Reader(name)
    scenario = reader.scenario(data)
    if reader.problems or scenario is None:
        raise ConfigError(reader.problems or [f"{name}: empty scenario"])
    return scenario


class _Reader:
    """Builds a :class:`Scenario` from parsed YAML, collecting problems instead of stopping."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.name}: {key}: {message}")

    def get(
        self, data: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any = ...
    ) -> Any:
        if key not in data:
            if default is ...:
                self.problem(f"{where}{key}", "missing")
            return None if default is ... else default
        value = data[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.problem(f"{where}{key}", f"must be {_kind_name(kind)}, got {value!r}")
            return None
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            self.problem(f"{where}{key}", f"must be {_kind_name(kind)}, got {value!r}")
            return None
        return value

    def scenario(self, data: object) -> Scenario | None:
        if not isinstance(data, dict):
            self.problem("(top)", "must be a mapping with name, duration_minutes, boards, threads")
            return None
        name = self.get(data, "name", "", str)
        duration = self.get(data, "duration_minutes", "", int)
        boards = [self.board(b, f"boards[{i}].") for i, b in enumerate(data.get("boards") or [])]
        fids = {b.fid for b in boards if b is not None}
        threads = [self.thread(t, f"threads[{i}].", fids) for i, t in enumerate(data.get("threads") or [])]
        tids, keys = [t.tid for t in threads if t], [t.key for t in threads if t]
        for value in sorted({v for v in tids if tids.count(v) > 1}):
            self.problem("threads.tid", f"{value} used by more than one thread")
        for key in sorted({v for v in keys if keys.count(v) > 1}):
            self.problem("threads.key", f"{key!r} used by more than one thread")
        if not boards or not threads:
            self.problem("(top)", "needs at least one board and one thread")
        if self.problems:
            return None
        return Scenario(name, duration, tuple(b for b in boards if b), tuple(t for t in threads if t))

    def board(self, data: object, where: str) -> Board | None:
        if not isinstance(data, dict):
            self.problem(where.rstrip("."), "must be a mapping with fid and name")
            return None
        fid, name = self.get(data, "fid", where, int), self.get(data, "name", where, str)
        return Board(fid, name) if fid is not None and name is not None else None

    def thread(self, data: object, where: str, fids: set[int]) -> ScenarioThread | None:
        if not isinstance(data, dict):
            self.problem(where.rstrip("."), "must be a mapping")
            return None
        for unknown in sorted(set(data) - _THREAD_KEYS, key=str):
            self.problem(f"{where}{unknown}", "unknown key")
        tid, key = self.get(data, "tid", where, int), self.get(data, "key", where, str)
        fid, subject = self.get(data, "fid", where, int), self.get(data, "subject", where, str)
        sticky = self.get(data, "sticky", where, bool, False)
        expect = self.get(data, "expect", where, str, "quiet")
        if fid is not None and fid not in fids:
            self.problem(f"{where}fid", f"board {fid} is not in boards")
        if expect not in (None, "alert", "quiet"):
            self.problem(f"{where}expect", f"must be 'alert' or 'quiet', got {expect!r}")
        raw_posts = data.get("posts")
        if not isinstance(raw_posts, list) or not raw_posts:
            self.problem(f"{where}posts", "must be a non-empty list (the first post opens the thread)")
            return None
        posts = [self.post(p, f"{where}posts[{i}].", tid or 0, i + 1) for i, p in enumerate(raw_posts)]
        if None in posts or None in (tid, key, fid, subject, sticky, expect):
            return None
        checked = [p for p in posts if p is not None]
        for earlier, later in pairwise(checked):
            if later.at_minutes < earlier.at_minutes:
                self.problem(f"{where}posts[{later.floor - 1}].at_minutes", "earlier than the post before it")
        return ScenarioThread(tid, key, fid, subject, tuple(checked), sticky, expect)

    def post(self, data: object, where: str, tid: int, floor: int) -> ScenarioPost | None:
        if not isinstance(data, dict):
            self.problem(where.rstrip("."), "must be a mapping with at_minutes, author, text")
            return None
        for unknown in sorted(set(data) - _POST_KEYS, key=str):
            self.problem(f"{where}{unknown}", "unknown key")
        at = self.get(data, "at_minutes", where, (int, float))
        author, text = self.get(data, "author", where, str), self.get(data, "text", where, str)
        quote = self.get(data, "quote", where, int, None)
        event = self.get(data, "event", where, str, None)
        if quote is not None and not 1 <= quote < floor:
            self.problem(
                f"{where}quote", f"must be the floor of an earlier post (1..{floor - 1}), got {quote}"
            )
            return None
        if at is None or author is None or text is None:
            return None
        return ScenarioPost(tid, floor, float(at), author, text, quote, event)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a non-empty string", bool: "true or false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
