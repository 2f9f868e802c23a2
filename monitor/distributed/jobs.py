"""The recurring jobs as messages: what to run, which lane it runs in, when it is scheduled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from monitor.config.loader import MonitorConfig

Kind = Literal["crawl", "hot_boards", "hot", "sla", "deliver", "digest", "prune"]
KINDS: tuple[str, ...] = get_args(Kind)
SOURCE_KINDS = ("crawl", "hot_boards", "hot")  # read a forum: they run in the source's lane


@dataclass(frozen=True)
class Job:
    kind: Kind
    source: str = ""  # source key (crawl, hot_boards, hot)
    board: str = ""  # board id (crawl)

    @property
    def key(self) -> str:
        """Unique per job: at most one of each is queued at a time."""
        return ":".join(part for part in (self.kind, self.source, self.board) if part)

    @property
    def lane(self) -> str:
        """Jobs of one lane never run at the same time, on any worker."""
        return f"source:{self.source}" if self.kind in SOURCE_KINDS else f"job:{self.kind}"

    def as_args(self) -> list[str]:
        return [self.kind, self.source, self.board]

    @classmethod
    def from_args(cls, kind: str, source: str = "", board: str = "") -> Job:
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        if (kind in SOURCE_KINDS) != bool(source) or (kind == "crawl") != bool(board):
            raise ValueError(f"job {kind!r} with source {source!r} and board {board!r} does not make sense")
        return cls(kind, source, board)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Scheduled:
    job: Job
    minutes: float
    jitter_seconds: float = 0.0
    at_start: bool = False  # also once when the scheduler starts leading


def schedule_of(config: MonitorConfig) -> list[Scheduled]:
    """The same jobs and intervals as the single-process scheduler (:mod:`monitor.scheduling`)."""
    schedule = config.settings.schedule
    jobs: list[Scheduled] = []
    sources = [source for source in config.sources if source.enabled]
    for source in sources:
        for board in source.boards:
            jobs.append(
                Scheduled(
                    Job("crawl", source.key, board),
                    schedule.crawl_interval_minutes,
                    schedule.jitter_seconds,
                    at_start=True,
                )
            )
        jobs.append(Scheduled(Job("hot_boards", source.key), schedule.hot_board_minutes))
        jobs.append(Scheduled(Job("hot", source.key), schedule.hot_refresh_minutes))
    jobs.append(Scheduled(Job("sla"), 1.0))
    if config.settings.digest.enabled and config.settings.smtp.enabled:
        jobs.append(Scheduled(Job("digest"), schedule.delivery_retry_minutes, at_start=True))
    jobs.append(Scheduled(Job("deliver"), schedule.delivery_retry_minutes, at_start=True))
    jobs.append(Scheduled(Job("prune"), 24 * 60.0))  # [retention]: daily, from when the scheduler leads
    return jobs
