"""``monitor sources add``: a forum into ``sources.yaml`` from a URL as the browser shows it.

Nothing is said to be watched before the entry is written; a key already in the file is
refused before the forum is asked anything, naming the source that has it and a free key.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from monitor.admin.sources_file import add_source, check_editable, discover_boards, slug
from monitor.alerting.render import clean_text
from monitor.config.files import same_forum
from monitor.config.loader import config_directory, load_config
from monitor.config.settings import Settings
from monitor.errors import ConfigError, DisallowedByRobots, FetchError, MonitorError
from monitor.fetch.addresses import guarded_client, policy_for
from monitor.fetch.client import Fetcher, Politeness
from monitor.fetch.robots_file import UNREACHABLE
from monitor.fetch.tls import tls_context
from monitor.sources.discuz_address import forum_address


def add_forum(args: argparse.Namespace) -> int:
    """``monitor sources add``: the forum's root from its URL, its boards from its index (unless
    given), a new entry in ``sources.yaml``."""
    directory = config_directory(args.config, os.environ)
    if args.engine != "discuz":  # nothing on the page says where a post or its date is: ops say it
        raise MonitorError(
            f"sources add reads Discuz! forums only; a {args.engine} source is written into sources.yaml "
            f"by hand (docs/sources.md has examples), then checked with: monitor sources test KEY"
        )
    try:  # before any request: a URL without http:// is told at once, not after retries
        address = forum_address(args.url)
    except ValueError as exc:
        raise ConfigError([f"{args.url}: {exc}"]) from None
    url = address.root
    file = directory / "sources.yaml"
    key = args.key or _source_key(url, args.name)
    check_editable(file)  # a broken sources.yaml is said before the forum is asked anything
    _refuse_a_taken_key(file, key, url, given=args.key is not None)  # before any request or claim
    if url.rstrip("/") != args.url.strip().rstrip("/"):
        print(f"forum root: {url}")
    boards = list(args.board)
    note = ""
    if not boards:
        found = asyncio.run(_discover(url, _fetch_settings(args.config)))
        if address.board is not None:
            boards = [address.board]
            name = dict(found).get(address.board)
            named = f"{address.board} ({name})" if name else address.board
            note = f"watching board {named}, the board of the URL; add others with --board"
        else:
            boards = [board for board, _name in found]
        if not boards:
            raise ConfigError([f"{url}: no boards found on the forum index; list them with --board"])
    source = add_source(file, key=key, name=args.name, engine=args.engine, base_url=url, boards=boards)
    print(f"added {source.key}: {source.name} ({url}) boards {', '.join(source.boards)}")
    if note:
        print(note)
    print(f"check it with: monitor check-config --config {directory}")
    print("restart a running `monitor run` to poll it (it reads sources.yaml at start)")
    return 0


def _source_key(url: str, name: str) -> str:
    """The key of a new source when ``--key`` is not given: the forum's host name made safe, with
    its port when it is not the scheme's default (two forums on one host get two keys)."""
    key = slug(name, url)
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{key}-{parts.port}" if parts.port is not None and parts.port != default else key


def _refuse_a_taken_key(file: Path, key: str, url: str, *, given: bool) -> None:
    """A key already in ``sources.yaml`` is refused before the forum is asked anything, naming the
    source that has it and the fix (a free key to pass with ``--key``)."""
    taken = _sources_by_key(file)
    for other, watched in taken.items():  # sources add adds Discuz! forums: one source per forum
        if other != key and watched is not None and same_forum(str(watched)) == same_forum(url):
            raise ConfigError(
                [f"{file}: sources: source {other!r} watches {url} already: add the boards to its entry"]
            )
    if key not in taken:
        return
    free = next(f"{key}-{n}" for n in range(2, len(taken) + 3) if f"{key}-{n}" not in taken)
    another = f"choose another key with --key, e.g. --key {free}"
    watched = str(taken[key] or "(no base_url)")
    if same_forum(watched) == same_forum(url):  # one forum is one source: another key would not do
        said = f"source {key!r} watches {url} already: add the boards to its entry"
    else:
        whose = "" if given else " (taken from the URL)"
        said = f"key {key!r}{whose} is used by the source watching {watched}; {another}"
    raise ConfigError([f"{file}: sources: {said}"])


def _sources_by_key(file: Path) -> dict[str, object]:
    """``key: base_url`` of the sources in the file as it is; {} when it cannot be read (adding
    then reports what is wrong with it)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) if file.exists() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    entries = data.get("sources") if isinstance(data, dict) else None
    return {
        str(entry["key"]): entry.get("base_url")
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and "key" in entry
    }


def _fetch_settings(path: Path | None) -> Settings:
    """The config directory's settings (its user agent, timeout, retries) when it loads, else the defaults."""
    try:
        return load_config(path, environ=os.environ, links=False, sends=False).settings
    except ConfigError:
        return Settings()


async def _discover(url: str, settings: Settings) -> list[tuple[str, str]]:
    """The boards linked from the forum's index; a forum that cannot be reached is said to be,
    with the cause, and told apart from one whose robots.txt forbids reading its index."""
    fetch = settings.fetch
    policy = policy_for(fetch.private_networks, [url])  # the address typed is meant; names are checked
    async with guarded_client(
        policy, proxy=fetch.proxy, verify=tls_context(fetch.ca_bundle), timeout=fetch.timeout_seconds
    ) as client:  # the fetcher redirects
        fetcher = Fetcher(
            client,
            max_redirects=fetch.max_redirects,
            user_agent=fetch.user_agent,
            politeness=Politeness(1, 0.0),
            retries=min(fetch.retries, 1),  # someone is waiting
            respect_robots=fetch.respect_robots_txt,
        )
        index = f"{url}forum.php"
        robots_log = logging.getLogger("monitor.fetch.robots_file")
        robots_log.addFilter(_not_unreachable)  # the error below says the cause once
        try:
            await fetcher.allowed(url)  # robots.txt first: the forum's answer, or why there is none
        except FetchError as exc:
            raise MonitorError(f"cannot reach the forum at {url}: {exc.reason}") from None
        finally:
            robots_log.removeFilter(_not_unreachable)
        try:
            page = await fetcher.get(index)
        except DisallowedByRobots:
            raise MonitorError(
                f"{index}: the forum's robots.txt disallows its index; name the boards with --board"
            ) from None
        except FetchError as exc:
            raise MonitorError(f"cannot read the forum index {index}: {exc.reason}") from None
    found = discover_boards(page.text)
    for board, name in found:
        print(f"  found board {clean_text(board)}: {clean_text(name)}")  # the forum's words
    return found


def _not_unreachable(record: logging.LogRecord) -> bool:
    """Leaves out the robots.txt-unreachable warning, right for ``monitor run`` (the board waits
    until it can be read) but said again by the command's error, cause and URL included."""
    return record.msg is not UNREACHABLE
