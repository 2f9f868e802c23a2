"""Sealed tokens: a small JSON payload and its HMAC-SHA256, base64url, ``payload.signature``.

Action links, sign-in links and session cookies are all sealed with the key in
``$MONITOR_WEB_SECRET``, each under its own *domain* (a prefix signed with the payload), so a
token made for one purpose never opens another: an action link is not a session cookie.
Nothing is stored per token; changing the key invalidates every token made with the old one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

_SIGNATURE_CHARS = 32  # 192 bits of the HMAC, base64url


class SealError(ValueError):
    """A token that was cut short, altered, signed with another key or for another purpose."""


def seal(secret: str, domain: bytes, data: Mapping[str, object]) -> str:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body = b64(payload)
    return f"{body}.{signature(secret, domain, body)}"


def unseal(secret: str, domain: bytes, token: str) -> dict[str, object]:
    """The payload of a genuine token; :class:`SealError` otherwise (nothing is parsed before the
    signature is checked)."""
    body, dot, mac = token.partition(".")
    if not dot or not body or not hmac.compare_digest(signature(secret, domain, body), mac):
        raise SealError("not valid: it was cut short, altered, or signed with another key")
    try:
        data = json.loads(unb64(body))
    except ValueError as exc:
        raise SealError("not valid: its contents cannot be read") from exc
    if not isinstance(data, dict):
        raise SealError("not valid: its contents cannot be read")
    return data


def signature(secret: str, domain: bytes, text: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), domain + text.encode("utf-8"), hashlib.sha256).digest()
    return b64(digest)[:_SIGNATURE_CHARS]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
