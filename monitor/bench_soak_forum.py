"""The soak benchmark's forum: a demo forum that keeps getting new threads and replies, served with a
local SMTP server from a child process (its growing pages, sockets and threads are not the monitor's).

:class:`ForumLife` writes the forum's life ahead of its clock, deterministically from a seed: every
board gets about ``threads_per_hour`` new threads an hour — a third name the watch group 途乐旅行 (a
third of those complaints), some name 星耀Pro14, the rest other topics — each drawing replies that
thin out over its first day; one complaint in ``escalating_every`` escalates: replies every few
minutes from new authors, 我也遇到了, a lawyer, for eight hours. Every complaint ends with the same
complaint sentence, so the story check reads them as one story: they join the open (or reopen the
resolved) alerts as cross-posts, a heavier load on the alerts' stories than a real forum's.
:class:`SoakForum` runs the forum and the sink in a child process and moves its clock
(:meth:`SoakForum.tick`).
"""

from __future__ import annotations

import math
import multiprocessing
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from monitor.demo.forum import DemoForum, Forum

_WORDS = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 2000))  # CJK ideographs
_COMPLAINT = "途乐旅行收了团费，行程取消后三个月不退款，客服推诿，我要投诉到12315维权！"
_PRAISE = "这次跟途乐旅行出去玩，导游很热情，行程安排合理，点赞。"
_GADGET = "星耀Pro14用了两周，屏幕不错，续航一般，大家怎么看？"
_ESCALATION = (
    "我也遇到了，途乐旅行一直拖着不退款！",
    "+1，我也遇到了同样的问题，大家一起去12315投诉",
    "我是律师，建议大家集体维权，保留好合同和付款凭证",
    "转发扩散，再也不会找途乐旅行了",
)
AUTHORS = 1500  # the forum's posters: a user id each (Discuz! hands one out on a first post)


@dataclass
class _Life:
    """One thread as the generator keeps it: its board, when it opened, whether it escalates."""

    tid: int
    opened: datetime
    escalates: bool
    last: datetime  # its newest post


@dataclass
class ForumLife:
    """Writes new threads and replies into ``forum`` up to a moment, from a seeded random source."""

    forum: Forum
    boards: list[int]
    rng: random.Random
    now: datetime
    threads_per_hour: float = 1.0
    escalating_every: int = 12  # one complaint in this many escalates
    live: list[_Life] = field(default_factory=list)  # threads that may still get replies
    next_tid: int = 1
    complaints: int = 0

    def advance(self, until: datetime) -> None:
        """Threads and replies dated after the last ``advance`` and up to ``until``."""
        start, span = self.now, until - self.now
        for fid in self.boards:
            for _ in range(self._count(self.threads_per_hour * span / timedelta(hours=1))):
                self._open(fid, start + span * self.rng.random())
        self.live = [t for t in self.live if until - t.opened < timedelta(days=2)]
        for thread in self.live:
            self._replies(thread, start, until)
        self.now = until

    def _count(self, expected: float) -> int:
        """A Poisson count with this mean (Knuth's method: small means)."""
        limit, count, product = math.exp(-expected), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _open(self, fid: int, at: datetime) -> None:
        story = "".join(self.rng.choices(_WORDS, k=self.rng.randint(60, 200)))
        kind, escalates = self.rng.random(), False
        if kind < 1 / 9:
            self.complaints += 1
            escalates = self.complaints % self.escalating_every == 0
            title, text = f"途乐旅行投诉 {self.next_tid}：三个月不退款", story + _COMPLAINT
        elif kind < 1 / 3:
            title, text = f"途乐旅行 游记 {self.next_tid}", story + _PRAISE
        elif kind < 0.4:
            title, text = f"星耀Pro14 体验 {self.next_tid}", story + _GADGET
        else:
            title, text = f"闲聊 {self.next_tid}", story
        thread = self.forum.add_thread(fid, title, self._author(), at, text, tid=self.next_tid)
        self.next_tid += 1
        self.live.append(_Life(thread.tid, at, escalates, at))

    def _replies(self, thread: _Life, start: datetime, until: datetime) -> None:
        """Replies in ``(start, until]``: fast for an escalating thread's first 8 h, else thinning out."""
        since = max(start, thread.last)
        hours = (until - since) / timedelta(hours=1)
        age = (since - thread.opened) / timedelta(hours=1)
        rate = 8.0 if thread.escalates and age < 8 else 1.5 * math.exp(-age / 6)
        times = sorted(since + (until - since) * self.rng.random() for _ in range(self._count(rate * hours)))
        for at in times:
            if thread.escalates:
                text = self.rng.choice(_ESCALATION) + "".join(self.rng.choices(_WORDS, k=10))
            else:
                text = "".join(self.rng.choices(_WORDS, k=self.rng.randint(10, 60)))
            self.forum.add_reply(thread.tid, self._author(), at, text)
            thread.last = at

    def _author(self) -> str:
        return f"网友{self.rng.randrange(AUTHORS)}"


@dataclass(frozen=True)
class ForumCounts:
    """What the forum holds at its clock."""

    threads: int
    posts: int


def _serve(
    connection: Connection, boards: list[int], start: datetime, seed: int, mail: str, rate: float
) -> None:
    """The child process: the forum and the SMTP sink, until told to stop."""
    from monitor.demo.smtp_sink import MailSink

    forum = Forum(now=start)
    for fid in boards:
        forum.add_board(fid, f"版块{fid}")
    for name in (f"网友{n}" for n in range(AUTHORS)):
        forum.user_id(name)  # registered up front: a first post would look up the highest uid
    life = ForumLife(forum, boards, random.Random(seed), start, threads_per_hour=rate)
    with MailSink(Path(mail)) as sink, DemoForum(forum) as server:
        connection.send((server.base_url, sink.port))
        while True:
            message = connection.recv()
            if message is None:
                break
            life.advance(message)
            forum.now = message
            posts = sum(len(forum.all_posts(tid)) for tid in range(1, life.next_tid))
            connection.send(ForumCounts(life.next_tid - 1, posts))


class SoakForum:
    """The child process serving the growing forum and the SMTP sink on loopback."""

    def __init__(
        self, boards: list[int], start: datetime, seed: int, mail: Path, threads_per_hour: float
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child, boards, start, seed, str(mail), threads_per_hour),
            name="soak-forum",
            daemon=True,
        )
        self._process.start()
        self.base_url, self.smtp_port = self._connection.recv()

    def tick(self, now: datetime) -> ForumCounts:
        """Write the forum's life up to ``now`` and move its clock there."""
        self._connection.send(now)
        counts: ForumCounts = self._connection.recv()
        return counts

    def close(self) -> None:
        if self._process.is_alive():
            self._connection.send(None)
            self._process.join(timeout=30)
        self._connection.close()

    def __enter__(self) -> SoakForum:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
