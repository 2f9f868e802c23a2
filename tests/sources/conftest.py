"""Reading the captured Discuz! pages (tests/fixtures/discuz/, see its README) as the crawler
would: raw bytes decoded with the charset of the recorded response header, and the response's
``Date`` as the parse clock.

Tests get the helpers through the ``discuz`` fixture (test modules never import each other).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.fetch.decode import decode_page
from monitor.sources.discuz import DiscuzSource

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discuz"
BASE_URLS = {"utf8": "http://127.0.0.1:8081/", "gbk": "http://127.0.0.1:8082/"}
# Default Discuz smiley codes that ground truth keeps as text but pages render as <img smilieid>.
SMILEY_CODES = (":)", ":(")


@dataclass(frozen=True)
class Captured:
    """One captured response: body bytes and header fields (lower-case names)."""

    body: bytes
    headers: dict[str, str]

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def now(self) -> datetime:
        return parsedate_to_datetime(self.headers["date"]).astimezone(UTC)

    def text(self, content_type: str | None = "as served") -> str:
        return decode_page(self.body, self.content_type if content_type == "as served" else content_type)


class DiscuzFixtures:
    root = FIXTURES

    def captured(self, path: str) -> Captured:
        """``path`` relative to tests/fixtures/discuz, e.g. ``gbk/round2/rss_fid2.xml``."""
        head = (FIXTURES / f"{path}.headers.txt").read_text(encoding="latin-1").splitlines()
        fields = {
            key.strip().lower(): value.strip()
            for key, sep, value in (line.partition(":") for line in head[1:])
            if sep
        }
        return Captured((FIXTURES / path).read_bytes(), fields)

    def page(self, path: str) -> tuple[str, datetime]:
        captured = self.captured(path)
        return captured.text(), captured.now

    def source(self, path: str) -> DiscuzSource:
        return DiscuzSource(BASE_URLS[path.split("/")[0]])

    @functools.cache  # noqa: B019 - one instance per session
    def truth(self, folder: str) -> dict[str, Any]:
        return json.loads((FIXTURES / folder / "ground_truth.json").read_text(encoding="utf-8"))

    def thread(self, folder: str, tid: str) -> dict[str, Any]:
        return next(t for t in self.truth(folder)["threads"] if str(t["tid"]) == tid)

    @staticmethod
    def utc(unix: int) -> datetime:
        return datetime.fromtimestamp(unix, UTC)

    @staticmethod
    def squash(text: str) -> str:
        for code in SMILEY_CODES:
            text = text.replace(code, "")
        return "".join(text.split())


_FIXTURES = DiscuzFixtures()


@pytest.fixture(scope="session")
def discuz() -> DiscuzFixtures:
    return _FIXTURES
