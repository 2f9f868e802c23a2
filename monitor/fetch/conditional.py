"""Conditional GET: the validators (``ETag``, ``Last-Modified``) of the latest answer per URL,
sent back as ``If-None-Match`` / ``If-Modified-Since`` so an unchanged page comes back as
HTTP 304 without its body. Only the :data:`MAX_VALIDATORS` most recently answered URLs are kept."""

from __future__ import annotations

from collections import OrderedDict

import httpx

MAX_VALIDATORS = 10_000


class Validators:
    """The validators of recently answered URLs, the oldest forgotten first."""

    def __init__(self, limit: int = MAX_VALIDATORS) -> None:
        self._limit = limit
        self._by_url: OrderedDict[str, dict[str, str]] = OrderedDict()

    def headers_for(self, url: str) -> dict[str, str]:
        """The conditional request headers for ``url`` (none when its answer had no validators)."""
        return self._by_url.get(url, {})

    def remember(self, url: str, headers: httpx.Headers) -> None:
        """Keep the validators of ``url``'s answer, if it has any."""
        validators = {}
        if etag := headers.get("etag"):
            validators["If-None-Match"] = etag
        if modified := headers.get("last-modified"):
            validators["If-Modified-Since"] = modified
        if validators:
            self._by_url[url] = validators
            self._by_url.move_to_end(url)
            while len(self._by_url) > self._limit:
                self._by_url.popitem(last=False)
