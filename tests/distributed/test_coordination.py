"""Queued markers, lanes, crawl plans and the scheduler's lease, on a real Redis."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from redis import Redis

from monitor.distributed.coordination import Coordination, LaneBusy, masked
from monitor.distributed.jobs import Job
from monitor.distributed.leader import Lease
from monitor.distributed.scheduler import enqueue, watch_backlog


def _coordination(redis_url: str, namespace: str) -> Coordination:
    return Coordination(Redis.from_url(redis_url), namespace, job_timeout_seconds=60)


def test_a_job_is_queued_once_until_a_worker_starts_it(redis_url: str, namespace: str) -> None:
    coordination = _coordination(redis_url, namespace)
    sent: list[Job] = []
    crawl = Job("crawl", "bbs", "2")
    assert enqueue(coordination, sent.append, crawl)
    assert not enqueue(coordination, sent.append, crawl)  # still queued: not sent again
    assert enqueue(coordination, sent.append, Job("crawl", "bbs", "7"))  # another board is another job
    assert sent == [crawl, Job("crawl", "bbs", "7")]
    ttl = coordination.client.ttl(f"{namespace}:queued:crawl:bbs:2")
    assert 0 < ttl <= 120  # twice the job timeout: a lost message does not block the job for ever
    coordination.clear_queued(crawl)  # a worker started it
    assert enqueue(coordination, sent.append, crawl)


def test_a_send_that_fails_leaves_the_job_free_to_be_sent_again(redis_url: str, namespace: str) -> None:
    coordination = _coordination(redis_url, namespace)

    def broken(job: Job) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        enqueue(coordination, broken, Job("sla"))
    assert not coordination.is_queued(Job("sla"))


def test_jobs_of_one_lane_never_run_at_once(redis_url: str, namespace: str) -> None:
    coordination = _coordination(redis_url, namespace)
    with coordination.lane(Job("crawl", "bbs", "2")):
        started = time.monotonic()
        with pytest.raises(LaneBusy), coordination.lane(Job("hot", "bbs"), wait=0.5):  # same source
            pass
        assert time.monotonic() - started >= 0.5  # it waited for the lane before giving up
        with coordination.lane(Job("crawl", "other", "2"), wait=0), coordination.lane(Job("deliver"), wait=0):
            pass  # other lanes are free
    with coordination.lane(Job("hot", "bbs"), wait=0):  # released at the end of the block
        pass


def test_a_job_waiting_for_its_lane_gets_it_when_the_holder_finishes(redis_url: str, namespace: str) -> None:
    coordination = _coordination(redis_url, namespace)
    order: list[str] = []

    def hold() -> None:
        with coordination.lane(Job("crawl", "bbs", "2")):
            order.append("first in")
            time.sleep(0.5)
            order.append("first out")

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    with coordination.lane(Job("crawl", "bbs", "7"), wait=5):
        order.append("second in")
    holder.join()
    assert order == ["first in", "first out", "second in"]


def test_a_lane_held_past_its_lease_is_renewed_while_the_job_runs(redis_url: str, namespace: str) -> None:
    coordination = Coordination(
        Redis.from_url(redis_url), namespace, job_timeout_seconds=60, lane_lease_seconds=1
    )
    with coordination.lane(Job("crawl", "bbs", "2")):
        time.sleep(2.5)  # two and a half leases: renewed meanwhile
        with pytest.raises(LaneBusy), coordination.lane(Job("hot", "bbs"), wait=0):
            pass
    with coordination.lane(Job("hot", "bbs"), wait=0):  # let go at the end
        pass


def test_a_worker_killed_mid_job_frees_its_lane_within_a_lease_not_the_job_timeout(
    redis_url: str, namespace: str
) -> None:
    """A worker killed with SIGKILL (out of memory) had left its forum uncrawled for 30 minutes."""
    client = Redis.from_url(redis_url)
    dead = Lease(client, f"{namespace}:lane:source:bbs", 1.0)  # taken, then never renewed nor let go
    assert dead.keep()
    coordination = Coordination(client, namespace, job_timeout_seconds=1800, lane_lease_seconds=1)
    with pytest.raises(LaneBusy), coordination.lane(Job("crawl", "bbs", "2"), wait=0):
        pass
    started = time.monotonic()
    with coordination.lane(Job("crawl", "bbs", "2"), wait=5):
        assert time.monotonic() - started <= 1.5


def test_crawl_plans_are_kept_per_source(redis_url: str, namespace: str) -> None:
    coordination = _coordination(redis_url, namespace)
    assert coordination.load_plan("bbs") is None
    hot = {"2": "2026-12-06T10:00:00+00:00"}
    state: dict[str, object] = {"polls": [], "hot_boards": hot, "board_read": {}}
    coordination.save_plan("bbs", state)
    assert coordination.load_plan("bbs") == state
    coordination.client.set(f"{namespace}:plan:bbs", b"{not json")
    assert coordination.load_plan("bbs") is None  # unreadable: the source starts afresh


def test_one_scheduler_leads_and_another_takes_over_when_it_stops(redis_url: str, namespace: str) -> None:
    client = Redis.from_url(redis_url)
    first, second = (Lease(client, f"{namespace}:scheduler", seconds=3) for _ in range(2))
    assert first.keep() and not second.keep()
    assert first.keep()  # renewing keeps it
    assert first.holder() == first.token
    first.release()
    assert second.keep() and not first.keep()
    client.delete(f"{namespace}:scheduler")  # as when the leader stopped renewing and its lease ran out
    assert first.keep()
    assert not second.keep()  # its renewal fails: it knows it no longer leads
    assert not second.held


def test_the_broker_password_never_shows() -> None:
    assert masked("redis://:s3cret@redis.internal:6379/0") == "redis://:****@redis.internal:6379/0"
    assert masked("rediss://monitor:s3cret@redis.internal/1") == "rediss://monitor:****@redis.internal/1"
    assert masked("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_jobs_that_make_no_sense_are_refused() -> None:
    assert Job.from_args("crawl", "bbs", "2") == Job("crawl", "bbs", "2")
    for args in (("nope",), ("crawl", "bbs"), ("sla", "bbs"), ("hot",), ("hot", "bbs", "2")):
        with pytest.raises(ValueError):
            Job.from_args(*args)


def test_a_busy_lane_is_waited_for_longer_than_a_failure_is_retried() -> None:
    from monitor.distributed.broker import retry_when

    busy = LaneBusy("lane source:bbs is busy")
    assert retry_when(59, busy) and not retry_when(60, busy)
    assert retry_when(2, RuntimeError("database away")) and not retry_when(3, RuntimeError("database away"))


def test_a_job_no_worker_starts_is_warned_about_once_and_the_recovery_said(
    redis_url: str, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A scheduler leading with no worker running had sent jobs into Redis for 22 min and said
    nothing (deployment walkthrough): nothing was crawled, and only a stale board would show it."""
    coordination = _coordination(redis_url, namespace)
    crawl, sla = Job("crawl", "bbs", "2"), Job("sla")
    assert enqueue(coordination, lambda job: None, crawl)
    assert enqueue(coordination, lambda job: None, sla)
    coordination.client.set(f"{namespace}:queued:old:marker", "1")  # an older release's: no time
    now = time.time()
    ages = coordination.waiting(now + 400)
    assert sorted(key for _, key in ages) == ["crawl:bbs:2", "sla"]  # the old marker left out
    assert all(399 <= age <= 402 for age, _ in ages)
    url = "redis://:secret@127.0.0.1:6379/15"
    with caplog.at_level(logging.INFO, logger="monitor.distributed.scheduler"):
        assert watch_backlog(coordination, now + 60, False, url) is False  # a minute: workers are busy
        assert watch_backlog(coordination, now + 400, False, url) is True
        assert watch_backlog(coordination, now + 460, True, url) is True  # said once
        coordination.clear_queued(crawl)
        coordination.clear_queued(sla)  # workers started them
        assert watch_backlog(coordination, now + 520, True, url) is False
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 2
    assert said[0].startswith("2 jobs sent and not started by any worker for 5 min or more (the longest: ")
    assert "is `monitor worker` running" in said[0] and "secret" not in said[0]
    assert said[1].startswith("workers take jobs again")
