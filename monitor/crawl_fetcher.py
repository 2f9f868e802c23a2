"""The pipeline's fetcher, as the config asks: its user agent, pacing and retries
(``[fetch]``), each source's own politeness (``concurrency``, ``min_interval_seconds``), and the
database that keeps forums' Retry-After rests beyond the process."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session, sessionmaker

from monitor.config.loader import MonitorConfig
from monitor.fetch.client import Fetcher, Politeness
from monitor.fetch.resting import BlockRests
from monitor.store.host_rests import StoredRests


def fetcher_for(config: MonitorConfig, client: httpx.AsyncClient, sessions: sessionmaker[Session]) -> Fetcher:
    fetch = config.settings.fetch
    fetcher = Fetcher(
        client,
        user_agent=fetch.user_agent,
        politeness=Politeness(fetch.per_host_concurrency, fetch.per_host_delay_seconds),
        retries=fetch.retries,
        respect_robots=fetch.respect_robots_txt,
        max_bytes=fetch.max_page_bytes,
        rests=StoredRests(sessions),
        block_rests=BlockRests(fetch.block_rest_seconds, fetch.block_rest_max_seconds),
    )
    for source in config.sources:
        if source.concurrency is not None or source.min_interval_seconds is not None:
            interval = source.min_interval_seconds
            fetcher.set_politeness(
                str(source.base_url),
                Politeness(
                    source.concurrency or fetch.per_host_concurrency,
                    fetch.per_host_delay_seconds if interval is None else interval,
                ),
            )
    return fetcher
