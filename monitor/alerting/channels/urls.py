"""Parsing helpers the channel modules share: cut a channel URL into parts, check its options, mask one.

``urlsplit`` is not used for chat URLs because it lower-cases what follows ``@`` (a host name to it,
a case-sensitive secret to us). Every error is a :class:`~monitor.alerting.channels.base.ChannelURLError`
that says what is wrong without repeating the URL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from monitor.alerting.channels.base import MASK, ChannelURLError


@dataclass(frozen=True)
class UrlParts:
    """A channel URL cut into its parts, case kept (``urlsplit`` would lower-case a secret after ``@``)."""

    scheme: str
    authority: str
    path: str
    query: dict[str, str]


def split_url(url: str) -> UrlParts:
    """Cut ``scheme://authority/path?query``; no fragment, no whitespace, no repeated option."""
    text = url.strip()
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in text):
        raise ChannelURLError("channel URL contains whitespace or control characters")
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme:
        raise ChannelURLError("channel URL must look like scheme://… (e.g. wecom://KEY)")
    if "#" in rest:
        raise ChannelURLError(f"{scheme}:// URL must not have a #fragment")
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in options:
            raise ChannelURLError(f"{scheme}:// URL gives option {key!r} twice")
        options[key] = value
    return UrlParts(scheme.lower(), authority, slash + path, options)


def check_options(parts: UrlParts, allowed: Iterable[str]) -> None:
    """Reject options a channel does not know (a misspelt ``?endpiont=`` would otherwise go unnoticed)."""
    known = sorted(allowed)
    for key in parts.query:
        if key not in known:
            hint = f"known: {', '.join(known)}" if known else "it takes none"
            raise ChannelURLError(f"{parts.scheme}:// URL has unknown option {key!r} ({hint})")


def http_base(value: str, what: str) -> str:
    """An absolute http(s) URL without query or fragment (an endpoint override), trailing ``/`` removed."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ChannelURLError(f"{what} must be an absolute http:// or https:// URL without ?query")
    return value.rstrip("/")


def mask_http(url: str) -> str:
    """``https://host:port/****``: where a URL goes, without its path, query or user info."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    tail = f"/{MASK}" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{host}{tail}"


def endpoint_suffix(endpoint: str | None) -> str:
    return f"?endpoint={mask_http(endpoint)}" if endpoint else ""


def token_and_secret(parts: UrlParts, form: str, token_name: str, secret_name: str) -> tuple[str, str]:
    """``TOKEN@SECRET`` from a URL's authority (%-escapes decoded); errors name what is missing, never it."""
    if parts.path.strip("/"):
        raise ChannelURLError(f"{parts.scheme}:// URL takes no path; the form is {form}")
    token, at, secret = parts.authority.partition("@")
    token, secret = unquote(token), unquote(secret)
    if not token:
        raise ChannelURLError(f"{parts.scheme}:// URL is missing the {token_name}; the form is {form}")
    if not at or not secret:
        raise ChannelURLError(
            f"{parts.scheme}:// URL is missing the {secret_name} after '@' (the robot is signed); "
            f"the form is {form}"
        )
    return token, secret


def endpoint_option(parts: UrlParts) -> str | None:
    """The ``?endpoint=`` override of a channel URL, checked, or None."""
    value = parts.query.get("endpoint")
    if value is None:
        return None
    return http_base(value, f"{parts.scheme}:// URL option endpoint")
