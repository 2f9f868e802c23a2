"""The ``[fetch]`` section: how the crawler asks forums for pages, and which addresses it may reach."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from monitor.config.section import Section as _Section


class FetchSettings(_Section):
    user_agent: str = Field(
        "bbs-crisis-monitor/0.1 (+https://example.invalid/monitor)",
        description="User-Agent header sent to forums.",
    )
    timeout_seconds: float = Field(20.0, gt=0, description="Timeout for one HTTP request.")
    per_host_concurrency: int = Field(
        1, ge=1, description="Requests in flight at once per forum host (a source may override it)."
    )
    per_host_delay_seconds: float = Field(
        1.0,
        ge=0,
        description="Minimum pause between two requests to the same host (a source may override it).",
    )
    max_page_bytes: int = Field(5_000_000, ge=10_000, description="Larger responses are refused.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed for one request.")
    retries: int = Field(3, ge=0, description="Retries of a failed request (5xx, 429, network errors).")
    respect_robots_txt: bool = Field(True, description="Skip URLs the forum's robots.txt disallows.")
    block_rest_seconds: float = Field(
        1800.0,
        ge=60,
        le=86_400,
        description=(
            "How long a forum whose firewall, browser challenge or CAPTCHA answered is left alone (its "
            "pages fail at once meanwhile). Each further block in a row doubles it, up to "
            "block_rest_max_seconds; a page read as the forum's again, or `monitor sources wake`, starts "
            "over."
        ),
    )
    block_rest_max_seconds: float = Field(
        43_200.0,
        ge=60,
        le=604_800,
        description=(
            "The longest rest after blocks in a row (12 h: a forum that lets the monitor in again is read "
            "within half a day without anyone waking it; less than the first rest means the first rest)."
        ),
    )
    private_networks: list[str] = Field(
        [],
        description=(
            'Networks that are not public (CIDR, e.g. "10.1.0.0/16") the crawler may connect to, for a '
            "forum on your own network reached by name. Loopback, private and link-local addresses are "
            "otherwise refused at connect time, so a forum's DNS cannot point the crawler at internal "
            "services; a source whose base_url is an IP address or localhost may always be reached there, "
            "at its port."
        ),
    )

    proxy: str | None = Field(
        None,
        description=(
            'An HTTP proxy every crawler request goes through ("http://proxy.internal:3128"), for a '
            "machine that reaches forums only through one. The proxy then resolves the forums' names, so "
            "it, not the crawler's address check, decides what can be reached: refuse internal networks "
            "there. The environment's HTTP_PROXY is not used."
        ),
    )

    ca_bundle: Path | None = Field(
        None,
        description=(
            "A PEM file of certificate authorities to trust besides the usual public ones, for a forum, "
            "chat service or webhook on your own network whose HTTPS certificate a private CA issued "
            '("/etc/monitor/intranet-ca.pem"; a relative path is read from where the command runs). '
            "Certificates are still checked against the forum's host name."
        ),
    )

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        try:
            ssl.create_default_context(cafile=value)
        except ssl.SSLError as exc:
            why = "no certificate in it" if exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND" else exc.reason
            raise ValueError(f"{str(value)!r} cannot be read as PEM certificates ({why or exc})") from None
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise ValueError(f"{str(value)!r} cannot be read as PEM certificates ({why})") from None
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f'{value!r} is not a proxy address (write e.g. "http://proxy.internal:3128")')
        return value

    @field_validator("private_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f'{network!r} is not a network (write e.g. "10.1.0.0/16")') from None
        return value
