"""Service settings: one model, every setting with a default and a description.

Read from ``monitor.toml``; a few can be overridden from the environment
(see :data:`ENVIRONMENT`), which is read once at start-up by :func:`apply_environment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from monitor.config.detect_settings import DetectSettings as DetectSettings  # re-exported: imported from here
from monitor.config.digest_settings import WEEKDAYS as WEEKDAYS  # re-exported
from monitor.config.digest_settings import DigestSettings as DigestSettings  # re-exported
from monitor.config.fetch_settings import FetchSettings as FetchSettings  # re-exported
from monitor.config.retention_settings import DIGEST_NEEDS_DAYS as DIGEST_NEEDS_DAYS  # re-exported
from monitor.config.retention_settings import RetentionSettings as RetentionSettings  # re-exported
from monitor.config.section import EnvName
from monitor.config.section import Section as _Section
from monitor.config.web_settings import WebSettings as WebSettings  # re-exported


class GeneralSettings(_Section):
    data_dir: Path = Field(
        Path("data"),
        description="Directory for the SQLite database and other local files (relative: to the working dir).",
    )
    timezone: str = Field(
        "Asia/Shanghai", description="Time zone in which times are shown to people (stored times are UTC)."
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description=(
            "Log lines on stderr: text (time, level, logger, message [details]) or json (one object per "
            "line: time, level, logger, message, the details, traceback) for a log collector."
        ),
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class DatabaseSettings(_Section):
    url: str = Field(
        "",
        description=(
            "SQLAlchemy database URL. Empty means a SQLite file monitor.db in data_dir; "
            "production: postgresql+psycopg://user@host/db."
        ),
    )
    auto_migrate: bool = Field(
        True, description="Bring the schema up to date at start-up (else run `monitor db upgrade`)."
    )

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A URL SQLAlchemy can open with what is installed, said at check-config, not as a traceback
        when the service starts (the URL itself is never repeated: it may hold a password)."""
        value = value.strip()
        if not value:
            return value
        scheme, sep, _ = value.partition("://")
        backend, _, driver = scheme.partition("+")
        example = "postgresql+psycopg://user@host/db or sqlite:////var/lib/monitor/monitor.db"
        if not sep or not scheme:
            raise ValueError(f"not a database URL; write it as {example}")
        if backend == "postgres":
            raise ValueError("postgres:// is the libpq spelling; SQLAlchemy needs postgresql+psycopg://")
        if backend not in ("postgresql", "sqlite"):
            raise ValueError(f"{backend} is not supported: PostgreSQL or SQLite ({example})")
        if backend == "postgresql" and driver not in ("", "psycopg"):
            raise ValueError(f"the PostgreSQL driver is psycopg: postgresql+psycopg://, not +{driver}")
        return value


class SmtpSettingsModel(_Section):
    enabled: bool = Field(True, description="Send alert emails over SMTP.")
    host: str = Field("localhost", description="SMTP server host name.")
    port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    sender: str = Field("monitor@localhost", description="From: address of alert emails.")
    username: str = Field("", description="SMTP login name; empty for no login.")
    password_env: EnvName = Field(
        "MONITOR_SMTP_PASSWORD",
        description="Name of the environment variable holding the SMTP password (never put it in a file).",
    )
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    use_ssl: bool = Field(False, description="Connect with implicit TLS (SMTPS, usually port 465).")
    timeout_seconds: float = Field(15.0, gt=0, description="Network timeout for one SMTP conversation.")

    @model_validator(mode="after")
    def _one_kind_of_tls(self) -> SmtpSettingsModel:
        if self.starttls and self.use_ssl:
            raise ValueError("choose starttls or use_ssl, not both")
        return self


class ScheduleSettings(_Section):
    crawl_interval_minutes: float = Field(10.0, gt=0, description="Minutes between two crawl passes.")
    delivery_retry_minutes: float = Field(
        2.0, gt=0, description="Minutes between two attempts to send queued deliveries."
    )
    hot_refresh_minutes: float = Field(
        2.0, gt=0, description="Minutes between two refreshes of hot threads (growing now or alerted)."
    )
    hot_for_hours: float = Field(
        6.0, gt=0, description="How long a thread stays hot after it last grew fast or its alert changed."
    )
    hot_board_minutes: float = Field(
        3.0,
        gt=0,
        description=(
            "Minutes between two reads of a hot board's thread list: a board where an alert changed or a "
            "watched thread came within 1 point of the alert threshold, for hot_for_hours (new threads "
            "there — follow-ups, cross-posts — are found sooner). Other boards: crawl_interval_minutes."
        ),
    )
    hot_budget_per_host: int = Field(
        20,
        ge=1,
        description=(
            "Threads re-read per source (one forum host) at each hot refresh. The detector's polling "
            "policy picks them among hot threads and watched threads seen within hot_for_hours: new ones "
            "first, then those whose escalation score is predicted nearest their next tier."
        ),
    )
    jitter_seconds: float = Field(
        30.0, ge=0, description="Random delay added to each board's crawl so boards don't all poll at once."
    )


class SentimentSettings(_Section):
    model: str = Field(
        "forum-v1",
        description="Sentiment model: 'stock' (SnowNLP's own), a shipped model name, or a model file path.",
    )
    negative_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Score below which a post counts as negative; unset = the model's calibrated threshold.",
    )


class AlertingSettings(_Section):
    console: bool = Field(
        True,
        description="Also print every alert message on standard output. Turn off where it only fills the "
        "service's log (systemd journal, docker logs): email, chat and the dashboard still carry them.",
    )
    ack_minutes_general: float = Field(
        120.0, gt=0, description="Minutes before an unacknowledged 一般 general alert goes to the backup."
    )
    ack_minutes_urgent: float = Field(
        60.0, gt=0, description="Minutes before an unacknowledged 紧迫 urgent alert goes to the backup."
    )
    ack_minutes_very_urgent: float = Field(
        30.0, gt=0, description="Minutes before an unacknowledged 非常紧迫 alert goes to the backup."
    )
    remind_before_fraction: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="Remind the spokesperson when this share of the first-contact time is left.",
    )
    progress_hours_general: float = Field(
        24.0, gt=0, description="Prompt for a progress update on an open general alert this often (seed 000)."
    )
    progress_hours_urgent: float = Field(
        12.0, gt=0, description="Prompt for a progress update on an open urgent alert this often (1–2×/day)."
    )
    progress_hours_very_urgent: float = Field(
        4.0,
        gt=0,
        description="Prompt for a progress update on an open very urgent alert this often. For every "
        "tier, each prompt nobody answers (a note, a tick, any action) doubles the wait for the next, at "
        "most 7 days.",
    )
    growth_bands: tuple[int, ...] = Field(
        (50, 100, 200, 500, 1000),
        description="Reply counts whose crossing re-notifies the spokesperson (besides a severity rise).",
    )
    reopen_within_days: float = Field(
        14.0, gt=0, description="A resolved alert whose thread flares up within this time reopens."
    )
    reopen_after_replies: int = Field(
        5,
        ge=1,
        description=(
            "Replies posted since a resolve before the thread counts as flaring up again (and the "
            "detector must still say it is escalating): a thread that is only still warm stays closed."
        ),
    )


class DistributedSettings(_Section):
    broker_url: str = Field(
        "",
        description=(
            "Redis URL (redis://host:6379/0) of the task broker when the jobs run on several "
            "machines: `monitor run` then only schedules (one scheduler leads at a time) and "
            "`monitor worker` processes run the jobs; use PostgreSQL as the shared database. "
            "Empty: `monitor run` runs every job itself."
        ),
    )
    namespace: str = Field(
        "monitor",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of every Redis key and queue, so several installations can share one Redis.",
    )
    leader_seconds: float = Field(
        30.0,
        ge=3,
        le=600,
        description=(
            "A leading scheduler renews its lead every third of this; one that stops is replaced "
            "by a standby within this many seconds."
        ),
    )
    job_timeout_minutes: float = Field(
        30.0, gt=0, le=24 * 60, description="A job still running after this long is stopped."
    )

    @field_validator("broker_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL (or empty: one process)")
        return value


class Settings(_Section):
    """Every service setting, grouped as in ``monitor.toml``."""

    general: GeneralSettings = Field(default_factory=GeneralSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    smtp: SmtpSettingsModel = Field(default_factory=SmtpSettingsModel)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    sentiment: SentimentSettings = Field(default_factory=SentimentSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)
    alerting: AlertingSettings = Field(default_factory=AlertingSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    distributed: DistributedSettings = Field(default_factory=DistributedSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @field_validator("retention")
    @classmethod
    def _ages_cover_what_is_read_back(
        cls, value: RetentionSettings, info: ValidationInfo
    ) -> RetentionSettings:
        detect, alerting, web = (info.data.get(name) for name in ("detect", "alerting", "web"))
        known = (
            isinstance(detect, DetectSettings)
            and isinstance(alerting, AlertingSettings)
            and isinstance(web, WebSettings)
        )
        if not known:  # one of them is invalid: that is the error to report
            return value
        assert isinstance(detect, DetectSettings) and isinstance(alerting, AlertingSettings)
        assert isinstance(web, WebSettings)
        problems = value.problems(detect, alerting, web)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    def retention_days(self) -> dict[str, int]:
        """``[retention]``'s ages as ``monitor db prune`` applies them (0: keep forever)."""
        return self.retention.days(self.detect, self.alerting, self.web)

    def database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.general.data_dir / 'monitor.db').as_posix()}"


# Environment variable -> (section, key). Read once, at start-up.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "MONITOR_DATABASE_URL": ("database", "url"),
    "MONITOR_DATA_DIR": ("general", "data_dir"),
    "MONITOR_TIMEZONE": ("general", "timezone"),
    "MONITOR_SMTP_HOST": ("smtp", "host"),
    "MONITOR_SMTP_PORT": ("smtp", "port"),
    "MONITOR_WEB_BASE_URL": ("web", "base_url"),
    "MONITOR_BROKER_URL": ("distributed", "broker_url"),
}


def apply_environment(raw: dict[str, object], environ: Mapping[str, str]) -> dict[str, object]:
    """Return ``raw`` (the parsed TOML) with environment overrides applied."""
    merged: dict[str, object] = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    for variable, (section, key) in ENVIRONMENT.items():
        if variable in environ and environ[variable] != "":
            part = merged.setdefault(section, {})
            if isinstance(part, dict):
                part[key] = environ[variable]
    return merged
