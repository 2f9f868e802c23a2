"""Models of the YAML files ops and PR staff edit: sources, watch groups, routing.

Keywords and names must be strings: YAML reads bare ``no``/``on``/``123`` as other
types, and a silently converted keyword would never match, so they are rejected.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, model_validator

from monitor.detect.severity import Severity


def _must_be_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(
            f'must be text, got {type(value).__name__} {value!r} (quote it in YAML, e.g. "{value}")'
        )
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Text = Annotated[str, BeforeValidator(_must_be_text)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_File):
    key: Text = Field(description="Short unique name of the source, used in logs and the database.")
    name: Text = Field(description="Name shown to people.")
    engine: Literal["discuz"] = Field(description="Forum engine adapter.")
    base_url: HttpUrl = Field(description="Root URL of the forum (where forum.php lives).")
    boards: list[Text] = Field(min_length=1, description="Board ids (Discuz! fid) to watch.")
    pages_per_board: int = Field(1, ge=1, le=50, description="Board list pages read per pass.")
    posts_per_page: int = Field(10, ge=1, description="Posts per thread page (Discuz! default 10).")
    enabled: bool = True


class SourcesFile(_File):
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.key in seen:
                raise ValueError(f"duplicate source key {source.key!r}")
            seen.add(source.key)
        return self


Category = Literal["product", "service", "dealer", "policy", "other"]


class WatchGroupConfig(_File):
    name: Text = Field(description="Name of the watch group (a brand, product or person).")
    category: Category = Field("other", description="Complaint category (seed 003).")
    include: list[Text] = Field(min_length=1, description="Terms any of which makes a thread match.")
    exclude: list[Text] = Field(default_factory=list, description="Terms that cancel a match.")


class WatchGroupsFile(_File):
    watch_groups: list[WatchGroupConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> WatchGroupsFile:
        seen: set[str] = set()
        for group in self.watch_groups:
            if group.name in seen:
                raise ValueError(f"duplicate watch group {group.name!r}")
            seen.add(group.name)
        return self


class SpokespersonConfig(_File):
    key: Text = Field(description="Short unique name used by routes.")
    name: Text = Field(description="Full name shown in alerts.")
    email: Text = Field(description="Address alert emails go to.")
    backup: Text | None = Field(None, description="Key of the backup spokesperson.")


class RouteMatch(_File):
    watch_groups: list[Text] = Field(default_factory=list, description="Any of these watch groups.")
    categories: list[Category] = Field(default_factory=list, description="Any of these categories.")
    min_severity: Severity = Field(Severity.GENERAL, description="At least this severity.")


class RouteConfig(_File):
    match: RouteMatch = Field(default_factory=RouteMatch)
    spokesperson: Text = Field(description="Key of the spokesperson who owns matching alerts.")


class RoutingFile(_File):
    spokespeople: list[SpokespersonConfig] = Field(min_length=1)
    routes: list[RouteConfig] = Field(min_length=1, description="Tried in order; the first match wins.")
