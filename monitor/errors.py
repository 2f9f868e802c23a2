"""Every error the monitor raises on purpose derives from :class:`MonitorError`.

Exception tree::

    MonitorError
    ├── ConfigError              a config file is missing, unreadable or invalid (names file and key)
    │   └── ChannelURLError      a chat channel URL is malformed (alerting.channels.base; no secret shown)
    ├── FetchError               a page could not be fetched (network, HTTP status, robots.txt)
    │   └── DisallowedByRobots   robots.txt forbids the URL
    ├── ParseError               a fetched page is not what its parser expects (logged, page skipped)
    ├── StoreError               the database is unreachable or its schema is out of date
    ├── DeliveryError            a channel could not deliver; queued again unless ``permanent``
    │   └── ChatDeliveryError    a chat service refused or failed (masked target, permanent?, retry_after)
    └── UnknownNameError         (also LookupError) a name that config does not define
"""

from __future__ import annotations


class MonitorError(Exception):
    """Root of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """A configuration file is invalid. ``problems`` lists each one as ``file: key: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class FetchError(MonitorError):
    """A page could not be fetched."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class DisallowedByRobots(FetchError):
    """The site's robots.txt forbids fetching the URL."""


class ParseError(MonitorError):
    """A page does not have the structure its parser expects."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class StoreError(MonitorError):
    """The database cannot be used."""


class DeliveryError(MonitorError):
    """A channel could not deliver a message; the delivery stays queued for a retry.

    ``unreachable``: the channel's server could not be reached or did not answer (refused,
    timed out, hung up), so every other message for it would fail the same way right now.
    ``permanent``: the server refused this message for good (a recipient that does not exist, a
    revoked chat robot): a retry cannot help, so the outbox stops; a person fixes the configuration.
    """

    def __init__(self, message: str, *, unreachable: bool = False, permanent: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.permanent = permanent


class UnknownNameError(MonitorError, LookupError):
    """A name (spokesperson, watch group, playbook, source) that the configuration does not define."""
