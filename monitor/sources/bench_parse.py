"""How much parsing costs next to sentiment scoring: ``python -m monitor.sources.bench_parse``.

On the captured Discuz! thread and board pages (``tests/fixtures/discuz``, both charsets) it
times, per page and per post (each page's best of ``--repeat`` interleaved rounds, summed):

* ``bs4 + lxml`` and ``bs4 + html.parser``: BeautifulSoup's tree, then the same lookups the
  adapter makes for each post (post blocks, author, date, message text) — a lower bound for a
  BeautifulSoup adapter, since it skips the text clean-up and quote splitting;
* ``lxml (adapter)``: the real hot path, :meth:`DiscuzSource.parse_thread` /
  :meth:`~DiscuzSource.parse_board`, everything included;
* ``lxml tree only`` (and ``selectolax tree only`` when that package is installed): the
  cost of building the tree, the floor under any adapter on that parser;
* ``decode_page`` on the raw bytes (also paid by every variant);
* ``SnowNLP(text).sentiments`` on the text of every post the adapter read, in the same run.

and prints each parser's cost as a share of SnowNLP's for the same posts (goal: ≤ 10 %).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from monitor.fetch.decode import decode_page
from monitor.sources.discuz import DiscuzSource
from monitor.sources.markup import parse_html

DEFAULT_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "discuz"
GOAL = 0.10


@dataclass(frozen=True)
class Page:
    name: str
    body: bytes
    content_type: str | None
    now: datetime
    text: str


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float  # for all pages of the kind, best run
    pages: int
    posts: int

    @property
    def per_page_ms(self) -> float:
        return 1000 * self.seconds / max(self.pages, 1)

    @property
    def per_post_ms(self) -> float:
        return 1000 * self.seconds / max(self.posts, 1)


def load_pages(root: Path, pattern: str, limit: int | None) -> list[Page]:
    pages = []
    for path in sorted(root.glob(f"*/{pattern}")) + sorted(root.glob(f"*/round*/{pattern}")):
        header = (path.parent / f"{path.name}.headers.txt").read_text(encoding="latin-1").splitlines()
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header[1:])}
        body = path.read_bytes()
        content_type = fields.get("content-type")
        now = parsedate_to_datetime(fields["date"]).astimezone(UTC)
        pages.append(
            Page(str(path.relative_to(root)), body, content_type, now, decode_page(body, content_type))
        )
    return pages[:limit] if limit else pages


def bs4_thread(text: str, builder: str) -> int:
    soup = BeautifulSoup(text, builder)
    posts = soup.select("#postlist > div[id^=post_]")
    for post in posts:
        author = post.select_one("td.pls .authi a")
        date = post.select_one("em[id^=authorposton]")
        message = post.select_one("td.t_f")
        for element in (author, date, message):
            if element is not None:
                element.get_text(" ", strip=True)
    return len(posts)


def bs4_board(text: str, builder: str) -> int:
    soup = BeautifulSoup(text, builder)
    rows = soup.select("#threadlisttableid tbody[id*=thread_]")
    for row in rows:
        for selector in ("th a.xst", "td.by cite a", "td.by em", "td.num a", "td.num em"):
            element = row.select_one(selector)
            if element is not None:
                element.get_text(strip=True)
    return len(rows)


def run(root: Path, repeat: int, limit: int | None) -> dict[str, list[Timing]]:
    """Each measurement is split into units (one page; one post for SnowNLP), every unit is
    timed once per round, rounds interleaved, and a measurement's figure is the sum of its
    units' best times: a busy machine slows some units in some rounds, not the minimum."""
    import snownlp  # imported here: loading its model takes a second

    source = DiscuzSource("http://127.0.0.1/")
    threads = load_pages(root, "viewthread_*.html", limit)
    boards = load_pages(root, "forumdisplay_*.html", limit)
    posts = [p for page in threads for p in source.parse_thread(page.text, page.name, page.now).posts]
    rows = sum(len(source.parse_board(page.text, page.name, page.now).threads) for page in boards)
    texts = [post.text for post in posts]
    warm = snownlp.SnowNLP(texts[0] if texts else "热身").sentiments
    assert 0.0 <= warm <= 1.0
    units: dict[tuple[str, str], list[Callable[[], object]]] = {}
    for kind, pages, bs4_parse, adapter in (
        ("thread", threads, bs4_thread, source.parse_thread),
        ("board", boards, bs4_board, source.parse_board),
    ):
        for label, per_page in _variants(bs4_parse, adapter).items():
            units[(kind, label)] = [functools.partial(per_page, page) for page in pages]
    units[("snownlp", "SnowNLP sentiments")] = [functools.partial(_score, snownlp, t) for t in texts]
    best = {key: [float("inf")] * len(jobs) for key, jobs in units.items()}
    for _ in range(repeat):
        for key, jobs in units.items():
            for index, job in enumerate(jobs):
                started = time.perf_counter()
                job()
                best[key][index] = min(best[key][index], time.perf_counter() - started)
    counts = {
        "thread": (len(threads), len(posts)),
        "board": (len(boards), rows),
        "snownlp": (len(threads), len(posts)),
    }
    results: dict[str, list[Timing]] = {"thread": [], "board": [], "snownlp": []}
    for (kind, label), seconds in best.items():
        results[kind].append(Timing(label, sum(seconds), *counts[kind]))
    return results


def _score(snownlp: Any, text: str) -> float:
    return float(snownlp.SnowNLP(text).sentiments)


def _variants(
    bs4_parse: Callable[[str, str], int], adapter: Callable[[str, str, datetime], object]
) -> dict[str, Callable[[Page], object]]:
    variants: dict[str, Callable[[Page], object]] = {
        "bs4 + lxml": lambda page: bs4_parse(page.text, "lxml"),
        "bs4 + html.parser": lambda page: bs4_parse(page.text, "html.parser"),
        "lxml tree only": lambda page: parse_html(page.text, page.name),
        "lxml (adapter)": lambda page: adapter(page.text, page.name, page.now),
        "decode_page": lambda page: decode_page(page.body, page.content_type),
    }
    try:  # not a dependency: measured when installed, to show what it would save
        lexbor = importlib.import_module("selectolax.lexbor")
    except ImportError:
        return variants
    variants["selectolax tree only"] = lambda page: lexbor.LexborHTMLParser(page.text)
    return variants


def report(results: dict[str, list[Timing]]) -> str:
    (scoring,) = results["snownlp"]
    lines = [
        f"Discuz! fixtures: {scoring.pages} thread pages, {scoring.posts} posts; "
        f"SnowNLP scores them in {scoring.seconds * 1000:.0f} ms ({scoring.per_post_ms:.2f} ms/post)",
        "",
        f"{'thread pages':<22}{'ms/page':>10}{'ms/post':>10}{'of SnowNLP':>13}",
    ]
    for timing in results["thread"]:
        share = timing.seconds / scoring.seconds if scoring.seconds else float("nan")
        lines.append(
            f"{timing.label:<22}{timing.per_page_ms:>10.2f}{timing.per_post_ms:>10.3f}{share:>12.1%}"
        )
    lines += ["", f"{'board pages':<22}{'ms/page':>10}{'ms/row':>10}"]
    for timing in results["board"]:
        lines.append(f"{timing.label:<22}{timing.per_page_ms:>10.2f}{timing.per_post_ms:>10.3f}")
    hot = next(t for t in results["thread"] if t.label == "lxml (adapter)")
    decode = next(t for t in results["thread"] if t.label == "decode_page")
    share = (hot.seconds + decode.seconds) / scoring.seconds if scoring.seconds else float("nan")
    verdict = "met" if share <= GOAL else "NOT met"
    bs4 = next(t for t in results["thread"] if t.label == "bs4 + lxml")
    lines += [
        "",
        f"hot path (decode + lxml adapter) = {share:.1%} of SnowNLP's cost: goal <= {GOAL:.0%} {verdict}; "
        f"bs4 + lxml is {bs4.seconds / hot.seconds:.1f}x slower than the adapter.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m monitor.sources.bench_parse", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="captured Discuz! pages")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--limit", type=int, default=None, help="read at most this many pages of each kind")
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir():
        parser.error(f"no fixtures at {args.fixtures}")
    print(report(run(args.fixtures, max(1, args.repeat), args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
