"""Generic JSON webhook: ``webhook+https://host/path`` (or ``webhook+http://…`` inside a trusted network).

Sends ``POST https://host/path`` with the alert as JSON (:func:`alert_payload`); any 2xx answer is
success. With ``?secret=S`` the secret is taken out of the URL (it is never sent) and the body is
signed the way GitHub signs its webhooks::

    X-Monitor-Signature: sha256=<hex HMAC-SHA256(key=S, msg=<the exact body bytes>)>

The body carries ``sent_at`` (UTC, ISO 8601), so a receiver that checks the signature can also
refuse a replayed message (the chat services refuse anything over an hour old). Other query
parameters stay in the URL. The payload's strings come from forums and are untrusted: control
characters are stripped, but the receiver must escape them for wherever it shows them.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from monitor.alerting.channels.base import MASK, ChannelTarget, ChannelURLError
from monitor.alerting.channels.httpchannel import HttpChannel, Outgoing, json_body
from monitor.alerting.channels.urls import mask_http
from monitor.alerting.message import AlertMessage, Recipient
from monitor.alerting.render import clean_text, local_time, render_subject, render_text, safe_href
from monitor.alerting.render import severity_label as label

SIGNATURE_HEADER = "X-Monitor-Signature"
PAYLOAD_VERSION = 1
SCHEMES = ("webhook+https", "webhook+http")
HIDDEN_MIN_CHARS = 12


def signature(secret: str, body: bytes) -> str:
    """The ``X-Monitor-Signature`` value for ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def alert_payload(msg: AlertMessage, sent_at: datetime) -> dict[str, Any]:
    """The alert as JSON-ready data. Times in UTC (ISO 8601) plus ``respond_by_local`` for people."""
    tz = msg.timezone
    return {
        "version": PAYLOAD_VERSION,
        "event": "alert.escalated" if msg.escalated_from is not None else "alert.opened",
        "sent_at": _iso(sent_at),
        "alert_id": msg.alert_id,
        "severity": msg.severity.value,
        "severity_label": label(msg.severity),
        "escalated_from": msg.escalated_from.value if msg.escalated_from is not None else None,
        "thread_title": clean_text(msg.thread_title),
        "thread_url": safe_href(msg.thread_url),  # None unless it is an http(s) link
        "board": clean_text(msg.board_name),
        "source": clean_text(msg.source_name),
        "also_on": [clean_text(item) for item in msg.also_on],
        "watch_groups": [clean_text(item) for item in msg.watch_groups],
        "figures": [clean_text(item) for item in msg.figures],
        "signals": [clean_text(item) for item in msg.signals],
        "excerpt": clean_text(msg.excerpt, multiline=True),
        "spokesperson": _person(msg.spokesperson),
        "backup": _person(msg.backup) if msg.backup is not None else None,
        "opened_at": _iso(msg.opened_at),
        "respond_by": _iso(msg.respond_by),
        "respond_by_local": local_time(msg.respond_by, tz),
        "contacted_at": _iso(msg.contacted_at) if msg.contacted_at is not None else None,
        "timezone": tz,
        "playbook": clean_text(msg.playbook_name),
        "checklist": [
            {
                "title": clean_text(item.title),
                "due_at": _iso(item.due_at) if item.due_at else None,
                "done": item.done,
            }
            for item in msg.checklist
        ],
        "actions": {action.kind: action.url for action in msg.actions},  # signed; needs web.base_url
        "summary": render_subject(msg),
        "text": render_text(msg),
    }


class WebhookChannel(HttpChannel):
    """Posts the alert as JSON to any http(s) endpoint, optionally signed."""

    scheme = "webhook+https"
    schemes = SCHEMES
    service = "webhook"
    default_base_url = ""

    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """``webhook+https://host/path[?secret=S&…]`` → a target; its address is the URL minus the secret."""
        text = url.strip()
        scheme, _, inner = text.partition("+")
        if scheme.lower() != "webhook" or not inner:
            raise ChannelURLError("a webhook URL looks like webhook+https://host/path")
        if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in inner):
            raise ChannelURLError("webhook URL contains whitespace or control characters")
        try:
            parts = urlsplit(inner)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ChannelURLError("webhook URL is not a valid URL (check the host and port)") from None
        scheme_name = parts.scheme.lower()
        if scheme_name not in ("http", "https") or not parts.hostname:
            raise ChannelURLError("webhook URL must be webhook+https://host/path or webhook+http://host/path")
        if parts.fragment:
            raise ChannelURLError("webhook URL must not have a #fragment")
        kept, secrets = [], []
        for pair in parts.query.split("&") if parts.query else []:
            if pair.partition("=")[0] == "secret":
                secrets.append(pair)
            else:
                kept.append(pair)
        secret: str | None = None
        if len(secrets) > 1:
            raise ChannelURLError("webhook URL gives option 'secret' twice")
        if secrets:
            secret = dict(parse_qsl(secrets[0], keep_blank_values=True)).get("secret", "")
            if not secret:
                raise ChannelURLError("webhook URL has an empty ?secret= (leave it out to send unsigned)")
        address = urlunsplit((scheme_name, parts.netloc, parts.path or "/", "&".join(kept), ""))
        # A long path or query may well be a token (many services put one there); short ones are words.
        hidden = tuple(
            value
            for value in (parts.password, parts.path.strip("/"), "&".join(kept))
            if value and (value == parts.password or len(value) >= HIDDEN_MIN_CHARS)
        )
        masked = f"webhook+{mask_http(address)}" + (f"?secret={MASK}" if secret else "")
        return ChannelTarget(
            scheme=f"webhook+{scheme_name}",
            address=address,
            secret=secret,
            masked=masked,
            hidden=hidden,
            address_is_secret=False,
        )

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        body = json_body(alert_payload(msg, self.clock()))
        headers = {"X-Monitor-Event": "alert"}
        if target.secret:
            headers[SIGNATURE_HEADER] = signature(target.secret, body)
        return Outgoing(self._url(target), body, headers)

    def _url(self, target: ChannelTarget) -> str:
        """The target's URL; ``base_url`` (a test server, a gateway) replaces its scheme, host and port."""
        if not self.base_url:
            return target.address
        parts = urlsplit(target.address)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.base_url + path

    def check(self, response: httpx.Response) -> str:
        return "ok"  # any 2xx; the base class turned everything else into a failure


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _person(person: Recipient) -> dict[str, str | None]:
    return {"key": person.key, "name": clean_text(person.name), "email": person.email}
