"""Models of the YAML files ops and PR staff edit: sources, watch groups, routing.

Keywords and names must be strings: YAML reads bare ``no``/``on``/``123`` as other
types, and a silently converted keyword would never match, so they are rejected.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.alerting.route_tree import OnCall, RouteNode
from monitor.config.addresses import email_address
from monitor.config.watch_terms import Keywords, can_overlap
from monitor.sources.generic_config import FeedOptions, GenericSelectors


def _must_be_text(value: object) -> object:
    if value is None:  # `name:` with nothing after it, not the word None
        raise ValueError("must be text, got nothing (an empty value or a bare ~)")
    if not isinstance(value, str):
        raise ValueError(
            f'must be text, got {type(value).__name__} {value!r} (quote it in YAML, e.g. "{value}")'
        )
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Text = Annotated[str, BeforeValidator(_must_be_text)]
EmailAddress = Annotated[str, BeforeValidator(_must_be_text), AfterValidator(email_address)]


FIRST_READ_PAGES = 10  # a board's first read pages back at most this far (200 rows on Discuz! defaults)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_File):
    key: Text = Field(description="Short unique name of the source, used in logs and the database.")
    name: Text = Field(description="Name shown to people.")
    engine: Literal["discuz", "generic", "rss"] = Field(
        description="Forum engine adapter: discuz, generic (CSS selectors) or rss (RSS/Atom feed)."
    )
    base_url: HttpUrl = Field(description="Root URL of the forum (where forum.php lives).")
    boards: list[Text] = Field(min_length=1, description="Board ids (Discuz! fid) to watch.")
    pages_per_board: int = Field(1, ge=1, le=50, description="Board list pages read per pass.")
    first_read_pages: int = Field(
        FIRST_READ_PAGES,
        ge=1,
        le=50,
        description="Most board list pages a board's first read pages back (at least pages_per_board; "
        "1 with pages_per_board 1: no paging back).",
    )
    first_read_days: int = Field(
        7,
        ge=1,
        le=90,
        description="A board's first read stops paging back at a list page whose every row (stickies "
        "aside) had its last post longer ago than this; older rows on the pages it pages back are not read.",
    )
    posts_per_page: int = Field(10, ge=1, description="Posts per thread page (Discuz! default 10).")
    selectors: GenericSelectors | None = Field(
        None, description="CSS selectors of a 'generic' source (see docs/sources.md)."
    )
    feed: FeedOptions | None = Field(
        None, description="Feed options of an 'rss' source (see docs/sources.md)."
    )
    concurrency: int | None = Field(None, ge=1, description="Requests in flight at once to this forum.")
    min_interval_seconds: float | None = Field(None, ge=0, description="Minimum pause between two requests.")
    enabled: bool = True

    @model_validator(mode="after")
    def _engine_options(self) -> SourceConfig:
        if self.engine == "generic" and self.selectors is None:
            raise ValueError("a 'generic' source needs 'selectors' (see docs/sources.md)")
        if "first_read_pages" in self.model_fields_set and self.first_read_pages < self.pages_per_board:
            raise ValueError(
                f"first_read_pages ({self.first_read_pages}) is less than pages_per_board "
                f"({self.pages_per_board}): a board's first read reads at least the pages every pass reads"
            )
        return self

    @property
    def first_read_cap(self) -> int:
        """The most list pages a board's first read reads: ``first_read_pages``, or ``pages_per_board``
        when more and ``first_read_pages`` is left at its default."""
        return max(self.first_read_pages, self.pages_per_board)


class SourcesFile(_File):
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> SourcesFile:
        """One key per source, and one source per forum: the same forum under two keys is read
        twice and tells each story twice, which the detector takes for the story spreading."""
        seen: dict[str, int] = {}
        forums: dict[str, tuple[str, int]] = {}
        for index, source in enumerate(self.sources):  # said at the later entry, the one just typed
            if source.key in seen:
                first = f"sources[{seen[source.key]}]"
                raise ValueError(
                    f"sources[{index}].key: duplicate source key {source.key!r} (first at {first})"
                )
            seen[source.key] = index
            forum = f"{source.engine} {same_forum(str(source.base_url))}"  # a feed beside the pages is fine
            if forum in forums:
                first, at = forums[forum]
                raise ValueError(
                    f"sources[{index}].base_url: {source.key!r} watches {source.base_url}, the forum "
                    f"{first!r} (sources[{at}]) watches: one forum is one source (list all its boards "
                    "under one key)"
                )
            forums[forum] = (source.key, index)
        return self


def same_forum(url: str) -> str:
    """A forum's address as compared: scheme and host in lower case, no default port, no trailing /."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = (parts.hostname or "") + (f":{port}" if port is not None and port != default else "")
    return f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"


Category = Literal["product", "service", "dealer", "policy", "other"]


class WatchGroupConfig(_File):
    """A brand, product line, person or competitor to watch.

    A post matches when one of its ``include`` terms or ``aliases`` occurs (outside the
    ``exclude`` words) and, if there is an ``expression``, the expression holds too. Terms are
    matched after folding Traditional to Simplified, full-width to half-width and case.
    """

    name: Text = Field(description="Name of the watch group (a brand, product, person or competitor).")
    category: Category = Field("other", description="Complaint category (seed 003).")
    include: Keywords = Field(default_factory=list, description="Terms any of which makes a post match.")
    aliases: Keywords = Field(
        default_factory=list, description="Other names for the same thing (English, old or nick names)."
    )
    expression: str | None = Field(
        None,
        description="Boolean expression (AND, OR, NOT, parentheses, quoted phrases) that must hold too; "
        "on its own it is the whole rule.",
    )
    exclude: Keywords = Field(
        default_factory=list,
        description="Words that contain an include term but mean something else (途乐园 is not 途乐): "
        "an include term inside one of them does not count.",
    )

    @field_validator("include", "aliases")
    @classmethod
    def _terms_say_something(cls, value: list[str]) -> list[str]:
        from monitor.enrich.text import fold_term

        for term in value:
            if len(fold_term(term)) < 2:
                raise ValueError(
                    f"term {term!r} is a single character, which occurs in a large share of all posts; "
                    "write the brand, product or person as a word of two or more characters"
                )
        return value

    @field_validator("expression", mode="before")
    @classmethod
    def _expression_is_text(cls, value: object) -> object:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"must be text, got {type(value).__name__} {value!r} (quote it in YAML)")
        return value

    @field_validator("expression")
    @classmethod
    def _expression_parses(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        from monitor.enrich.expressions import ExpressionError, evaluate, parse

        try:
            node = parse(value)
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        if not info.data.get("include") and not info.data.get("aliases") and evaluate(node, frozenset()):
            raise ValueError(
                "the expression holds for posts that contain none of its terms (e.g. 'NOT x' alone), "
                "so it would match every post; add include terms or a term it requires"
            )
        return value

    @field_validator("exclude")
    @classmethod
    def _exclusions_can_apply(cls, value: list[str], info: ValidationInfo) -> list[str]:
        from monitor.enrich.expressions import parse, terms
        from monitor.enrich.text import fold_term

        said = [*info.data.get("include", []), *info.data.get("aliases", [])]
        positive = [fold_term(t) for t in said]
        expression = info.data.get("expression")
        if expression:
            found = terms(parse(expression))
            positive.extend(term.key for term in found)
            said.extend(term.key for term in found)
        for term in value:
            key = fold_term(term)
            if key in positive:  # every occurrence of that term lies inside the exclude word
                same = said[positive.index(key)]
                folded = "" if same == term else " once folded (Traditional/Simplified, width, case)"
                raise ValueError(
                    f"exclude term {term!r} is the group's term {same!r}{folded}, so it would "
                    f"cancel every match of it: an exclude word is a longer word that contains a term "
                    f"(途乐园 is not 途乐); to drop posts that mention {term!r}, write an expression with "
                    f"NOT {term}"
                )
            if positive and not any(can_overlap(key, other) for other in positive):
                raise ValueError(
                    f"exclude term {term!r} overlaps none of the group's terms, so it can never cancel a "
                    "match: an exclude word only stops an include term inside it from counting (途乐园 is "
                    f"not 途乐); to drop posts that mention {term!r}, write an expression with NOT {term}"
                )
        return value

    @model_validator(mode="after")
    def _something_to_match(self) -> WatchGroupConfig:
        if not self.include and not self.aliases and self.expression is None:
            raise ValueError("a watch group needs include terms, aliases or an expression")
        return self


def not_a_group(value: object) -> str | None:
    """What is wrong with an entry of ``watch_groups`` that is not a group at all, or None."""
    if isinstance(value, dict | WatchGroupConfig):
        return None
    got = "nothing (a bare '-')" if value is None else f"{type(value).__name__} {value!r}"
    return f"must be a group with its keys (name:, include: …), got {got}"


def _group_shape(value: object) -> object:
    if (problem := not_a_group(value)) is not None:
        raise ValueError(problem)
    return value


def _groups_shape(value: object) -> object:
    if value is None:  # `watch_groups:` with every group taken out
        return []
    if isinstance(value, dict):
        raise ValueError(
            "must be a list of groups, each starting with a dash ('  - name: …'); this reads as one "
            "group written without its '- '"
        )
    return value


class WatchGroupsFile(_File):
    watch_groups: Annotated[
        list[Annotated[WatchGroupConfig, BeforeValidator(_group_shape)]], BeforeValidator(_groups_shape)
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> WatchGroupsFile:
        """Names are told apart as posts are matched: 途樂旅行 and 途乐旅行, ＴｕＬｅ and TuLe are one
        name twice (two groups matching the same posts, two alerts for one story)."""
        from monitor.enrich.text import fold

        seen: dict[str, tuple[str, int]] = {}
        for index, group in enumerate(self.watch_groups):  # said at the later entry, the one just typed
            key = fold(group.name).text
            if key in seen:
                name, at = seen[key]
                same = "" if name == group.name else f" (the same name as {name!r}, folded)"
                raise ValueError(
                    f"watch_groups[{index}].name: duplicate watch group {group.name!r}{same} (first at "
                    f"watch_groups[{at}])"
                )
            seen[key] = (group.name, index)
        return self


class SpokespersonConfig(_File):
    key: Text = Field(description="Short unique name used by routes.")
    name: Text = Field(description="Full name shown in alerts.")
    email: EmailAddress = Field(description="Address alert emails go to.")
    backup: Text | None = Field(None, description="Key of the backup spokesperson.")
    channels: list[Text] = Field(
        default_factory=list,
        description="Chat channels by URL (wecom://, dingtalk://, feishu://, slack://, webhook+https://); "
        "secrets may be written ${ENV_VAR}. See docs/channels.md.",
    )
    on_call: OnCall | None = Field(
        None, description="When notifications reach this person (very urgent ones always do)."
    )


class RoutingFile(_File):
    spokespeople: list[SpokespersonConfig] = Field(min_length=1)
    leadership: list[Text] = Field(
        default_factory=list,
        description="Told when an alert is still unacknowledged after twice its time (seed 004).",
    )
    route: RouteNode = Field(description="The routing tree; its root's receiver takes what no route takes.")
