"""Slack incoming webhook: ``slack://T000/B000/TOKEN``.

Sends ``POST https://hooks.slack.com/services/T000/B000/TOKEN`` with a notification ``text`` and one
``mrkdwn`` section block (at most 3000 characters; :data:`~monitor.alerting.channels.markdown.SLACK`),
link unfurling off. Slack answers ``200 ok`` as plain text; anything else is a failure, its word
explained by :data:`monitor.alerting.channels.refusals.SLACK`: ``invalid_token``, ``no_service``,
``no_team``, ``channel_not_found``, ``channel_is_archived``, ``action_prohibited`` … are permanent;
``invalid_blocks`` and ``invalid_payload`` are answered once with half the text; ``429`` /
``rate_limited`` and ``5xx`` are retried.

The team id (``T000``) is shown when the URL is masked (``slack://T000/****``); the rest is secret.
``?endpoint=URL`` replaces ``https://hooks.slack.com/services``.
"""

from __future__ import annotations

import re

import httpx

from monitor.alerting.channels.base import MASK, ChannelTarget, ChannelURLError
from monitor.alerting.channels.httpchannel import HttpChannel, Outgoing, Refused, body_snippet, json_body
from monitor.alerting.channels.markdown import SLACK, Dialect, notification, render_chat
from monitor.alerting.channels.markdown import shorter as halved
from monitor.alerting.channels.refusals import SLACK as REFUSALS
from monitor.alerting.channels.urls import check_options, endpoint_option, endpoint_suffix, split_url
from monitor.alerting.message import AlertMessage

FORM = "slack://T000/B000/TOKEN"
DEFAULT_BASE_URL = "https://hooks.slack.com/services"
NOTIFICATION_CHARS = 300
_SEGMENT = re.compile(r"[A-Za-z0-9]+")


class SlackChannel(HttpChannel):
    """Posts alerts to a Slack incoming webhook as one mrkdwn section."""

    scheme = "slack"
    schemes = ("slack",)
    service = "Slack"
    default_base_url = DEFAULT_BASE_URL

    @staticmethod
    def parse(url: str) -> ChannelTarget:
        """``slack://T000/B000/TOKEN[?endpoint=URL]``: the three parts after ``/services/``."""
        parts = split_url(url)
        check_options(parts, {"endpoint"})
        segments = [parts.authority, *parts.path.strip("/").split("/")] if parts.path.strip("/") else []
        if len(segments) != 3 or not all(_SEGMENT.fullmatch(segment) for segment in segments):
            raise ChannelURLError(
                "slack:// URL needs the three parts after /services/ of the incoming-webhook URL, "
                f"letters and digits only; the form is {FORM}"
            )
        team, bot, token = segments
        endpoint = endpoint_option(parts)
        return ChannelTarget(
            scheme="slack",
            address="/".join(segments),
            endpoint=endpoint,
            masked=f"slack://{team}/{MASK}{endpoint_suffix(endpoint)}",
            hidden=(f"{bot}/{token}", token),
        )

    def build(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(msg, target, SLACK)

    def shorter(self, msg: AlertMessage, target: ChannelTarget) -> Outgoing:
        return self._request(msg, target, halved(msg, SLACK))

    def _request(self, msg: AlertMessage, target: ChannelTarget, dialect: Dialect) -> Outgoing:
        url = f"{self.base_for(target)}/{target.address}"
        payload = {
            "text": notification(msg, SLACK, NOTIFICATION_CHARS),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": render_chat(msg, dialect)}}],
            "unfurl_links": False,
            "unfurl_media": False,
        }
        return Outgoing(url, json_body(payload))

    def check(self, response: httpx.Response) -> str:
        if response.text.strip() == "ok":
            return "ok"
        raise self.explain(response) or Refused(
            f"answered {snippet!r} instead of 'ok'"
            if (snippet := body_snippet(response))
            else "answered nothing"
        )

    def explain(self, response: httpx.Response) -> Refused | None:
        """Slack's answer is one word (``channel_is_archived``): what it means, if Slack documents it."""
        word = body_snippet(response).strip()
        meaning = REFUSALS.get(word)
        return Refused.meaning(self.service, meaning, word, "") if meaning is not None else None
