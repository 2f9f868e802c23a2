"""What a worker had taken when it died, and what a busy worker takes: on a real Redis."""

from __future__ import annotations

import threading
import time

from redis import Redis

from monitor.config.settings import DistributedSettings
from monitor.distributed.broker import QUEUE, job_actor, make_broker, make_worker
from monitor.distributed.jobs import Job


def _settings(redis_url: str, namespace: str) -> DistributedSettings:
    return DistributedSettings(broker_url=redis_url, namespace=namespace)


def test_a_dead_workers_message_comes_back_within_a_few_broker_commands(
    redis_url: str, namespace: str
) -> None:
    """A worker killed after taking a board's crawl had kept it from every other worker 14.6 min."""
    settings = _settings(redis_url, namespace)
    dead = make_broker(settings, Redis.from_url(redis_url), heartbeat_timeout_ms=500)
    actor = job_actor(dead, lambda *job: None, 60_000)
    actor.send(*Job("crawl", "bbs", "2").as_args())
    taken = next(iter(dead.consume(QUEUE, prefetch=1, timeout=100)))
    assert taken is not None  # taken, never acknowledged: the worker dies here
    time.sleep(0.6)  # its heartbeat is now older than the timeout

    alive = make_broker(settings, Redis.from_url(redis_url), heartbeat_timeout_ms=500)
    commands = 0
    got: list[bytes] = []
    while not got and commands < 200:  # an idle worker asks about twice a second: 100 s of asking
        got = alive.do_fetch(QUEUE, 1)
        commands += 1
    assert got, "the dead worker's message was still held after 200 broker commands"
    assert taken.message_id in got[0].decode()


def test_a_busy_worker_takes_no_more_messages_than_it_can_run(redis_url: str, namespace: str) -> None:
    settings = _settings(redis_url, namespace)
    broker = make_broker(settings, Redis.from_url(redis_url))
    running = threading.Event()
    release = threading.Event()

    def job(kind: str, source: str = "", board: str = "") -> None:
        running.set()
        release.wait(10)

    actor = job_actor(broker, job, 60_000)
    for board in ("1", "2", "3"):
        actor.send(*Job("crawl", "bbs", board).as_args())
    worker = make_worker(broker, threads=1)
    worker.start()
    try:
        assert running.wait(10)
        time.sleep(0.5)  # time to take more, were it going to
        waiting = broker.client.llen(f"{namespace}:dramatiq:{QUEUE}")
        assert waiting == 2  # the two others stay in the queue for an idle worker
    finally:
        release.set()
        worker.stop(timeout=5_000)
        broker.close()
