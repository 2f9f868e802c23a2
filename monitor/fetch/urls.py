"""Whether a URL can be fetched at all: an ``http://`` or ``https://`` URL with a well-formed
host name (or IP address) and a numeric port — asked before any request is sent, of the URL
asked for and of every redirect's ``Location``."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?")


def url_problem(url: str) -> str:
    """Why ``url`` cannot be fetched at all ("" when it can)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http:// or https:// URL"
    if not parts.hostname or not valid_host(parts.hostname):
        return "malformed URL"
    return ""


def valid_host(host: str) -> bool:
    """Whether ``host`` is a well-formed host name (IDNA allowed) or IPv6 address."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(_HOST_NAME.fullmatch(ascii_host.lower()))
