"""The ``[web]`` section: where `monitor web` listens and is reached, its signed links and sign-in."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from monitor.config.addresses import email_address
from monitor.config.section import EnvName
from monitor.config.section import Section as _Section


class WebSettings(_Section):
    base_url: str = Field(
        "",
        description=(
            "Address of `monitor web` as people's browsers reach it, e.g. https://monitor.example.com: "
            "the root of a host name of its own (its pages link to /alerts, /signin …), not a path "
            "under another site. When set, every alert message carries signed, expiring links to "
            "acknowledge it, mark the complainant contacted and open its page; empty: no links."
        ),
    )
    listen_host: str = Field("127.0.0.1", description="Address `monitor web` listens on.")
    listen_port: int = Field(8080, ge=1, le=65535, description="Port `monitor web` listens on.")
    secret_env: EnvName = Field(
        "MONITOR_WEB_SECRET",
        description=(
            "Name of the environment variable holding the key that signs action links (at least 32 "
            "characters; never put it in a file). Changing it invalidates every link sent."
        ),
    )
    link_ttl_hours: float = Field(
        72.0, gt=0, le=24 * 30, description="Hours an action link stays valid after the message is sent."
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 30,
        description="Hours a dashboard sign-in lasts before the browser must sign in again.",
    )
    signin_link_minutes: float = Field(
        15.0,
        gt=0,
        le=24 * 60,
        description="Minutes an emailed dashboard sign-in link stays valid (it works once).",
    )
    viewers: list[str] = Field(
        default_factory=list,
        description=(
            "Email addresses that may sign in to the dashboard to read it — alerts, rising threads, "
            "forums' health, digests — without acting on alerts (ops, assistants …). Spokespeople in "
            "routing.yaml may always sign in, and act."
        ),
    )

    @field_validator("viewers")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [email_address(address) for address in value]

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an http:// or https:// address without ?query or #fragment")
        path = re.sub(r"^https?://[^/]+", "", value)
        if path:
            raise ValueError(
                f"must be the root of a host name of its own, not a path under a site ({path}): the "
                "pages link to /alerts, /signin … from the root, so behind a path every link and form "
                "would leave the monitor; give `monitor web` a host name of its own on your reverse "
                "proxy, e.g. https://monitor.example.com"
            )
        return value
