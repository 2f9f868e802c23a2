"""Benchmark: watch-group matching as groups grow, and the whole rule-based enrichment per post.

    python -m monitor.enrich.bench_watch [--groups 500] [--terms 5000] [--posts 3000] [--compare]

Posts are the demo scenario's forum posts (real-looking complaint threads), some with a group
term planted in them. Groups and terms are generated (2–4 character Chinese words and ASCII
brand names, seeded, so every run sees the same ones). Prints posts/s for matching with a
5-group baseline and with ``--groups`` groups holding ``--terms`` terms in all; then posts/s
through fold + match + signals + category together. ``--compare`` also times one big regular
expression and a plain per-group substring loop, and the pure-Python OpenCC when installed.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable, Sequence
from importlib import resources

import yaml

from monitor.config.files import WatchGroupConfig
from monitor.enrich.category import classify_complaint
from monitor.enrich.keywords import WatchMatcher
from monitor.enrich.signals import detect_signals, is_me_too
from monitor.enrich.text import fold, normalise

_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
    "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
)
_SYLLABLES = ["tu", "le", "xing", "yao", "pro", "max", "zen", "ark", "nova", "byd", "mi", "go", "lux", "ion"]


def demo_posts() -> list[str]:
    """The texts of the demo scenario's posts and titles."""
    source = resources.files("monitor.demo") / "scenario.yaml"
    scenario = yaml.safe_load(source.read_text(encoding="utf-8"))
    texts: list[str] = []
    for thread in scenario["threads"]:
        texts.append(str(thread["subject"]))
        texts.extend(str(post["text"]) for post in thread["posts"])
    return texts


def make_groups(count: int, total_terms: int, seed: int = 6) -> list[WatchGroupConfig]:
    """``count`` groups sharing ``total_terms`` distinct generated terms as evenly as possible."""
    rng = random.Random(seed)
    terms: set[str] = set()
    while len(terms) < total_terms:
        if rng.random() < 0.2:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) + str(rng.randint(1, 99))
        else:
            word = "".join(rng.choice(_CJK) for _ in range(rng.randint(3, 4)))
        terms.add(word)
    ordered = sorted(terms)
    rng.shuffle(ordered)
    per_group = max(1, total_terms // count)
    groups = []
    for number in range(count):
        chunk = ordered[number * per_group : (number + 1) * per_group] or [ordered[number % len(ordered)]]
        groups.append(
            WatchGroupConfig(
                name=f"group{number:04d}", include=chunk[: max(1, len(chunk) - 1)], aliases=chunk[-1:]
            )
        )
    return groups


def make_corpus(posts: int, groups: Sequence[WatchGroupConfig], seed: int = 6) -> list[str]:
    """``posts`` demo posts, one in ten with a term of a random group planted in it."""
    rng = random.Random(seed)
    base = demo_posts()
    corpus = []
    for number in range(posts):
        text = base[number % len(base)]
        if rng.random() < 0.1:
            term = rng.choice(rng.choice(groups).include)
            cut = rng.randint(0, len(text))
            text = text[:cut] + term + text[cut:]
        corpus.append(text)
    return corpus


def rate(function: Callable[[str], object], corpus: Sequence[str], repeat: int = 1) -> float:
    """Posts per second through ``function`` (best of ``repeat`` runs)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in corpus:
            function(text)
        best = min(best, time.perf_counter() - started)
    return len(corpus) / best if best > 0 else float("inf")


def enrich(matcher: WatchMatcher) -> Callable[[str], object]:
    def run(text: str) -> object:
        return (matcher.match(text), detect_signals(text), is_me_too(text), classify_complaint(text))

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m monitor.enrich.bench_watch", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--terms", type=int, default=5000, help="distinct terms in all groups together")
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--compare", action="store_true", help="also time one big regex and a per-group loop")
    args = parser.parse_args(argv)

    large = make_groups(args.groups, args.terms)
    small = large[:5]
    corpus = make_corpus(args.posts, large)
    chars = sum(len(t) for t in corpus) / len(corpus)
    started = time.perf_counter()
    matcher = WatchMatcher(large)
    build = time.perf_counter() - started
    baseline = WatchMatcher(small)
    matched = sum(1 for text in corpus if matcher.match(text))
    print(f"{len(corpus)} posts, {chars:.0f} characters on average; {matched} match a group")
    small_rate = rate(baseline.match, corpus, repeat=3)
    large_rate = rate(matcher.match, corpus, repeat=3)
    print(f"match, {len(small)} groups ({baseline.term_count} terms):   {small_rate:10,.0f} posts/s")
    print(
        f"match, {len(large)} groups ({matcher.term_count} terms): {large_rate:10,.0f} posts/s "
        f"({large_rate / small_rate:.2f}x the baseline; automaton built in {build * 1000:.0f} ms)"
    )
    clean = demo_posts()
    clean_small, clean_large = rate(baseline.match, clean, repeat=5), rate(matcher.match, clean, repeat=5)
    print(
        f"the same without planted terms: {clean_small:,.0f} vs {clean_large:,.0f} posts/s "
        f"({clean_large / clean_small:.2f}x: one pass per post whatever the number of terms)"
    )
    print(f"fold only:                         {rate(fold, corpus, repeat=3):10,.0f} posts/s")
    print(f"signals only:                      {rate(detect_signals, corpus, repeat=3):10,.0f} posts/s")
    print(f"category only:                     {rate(classify_complaint, corpus, repeat=3):10,.0f} posts/s")
    print(f"normalise+match+signals+category:  {rate(enrich(matcher), corpus, repeat=3):10,.0f} posts/s")
    if args.compare:
        _compare(large, corpus)
    return 0


def _compare(groups: Sequence[WatchGroupConfig], corpus: Sequence[str]) -> None:
    keys = sorted({normalise(t) for g in groups for t in [*g.include, *g.aliases]}, key=len, reverse=True)
    started = time.perf_counter()
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    print(
        f"one regex of {len(keys)} terms (compiled in {time.perf_counter() - started:.2f} s): "
        f"{rate(lambda t: pattern.findall(normalise(t)), corpus):10,.0f} posts/s (no overlapping hits)"
    )
    loop = [(g.name, [normalise(t) for t in [*g.include, *g.aliases]]) for g in groups]

    def per_group(text: str) -> list[str]:
        plain = normalise(text)
        return [name for name, terms in loop if any(term in plain for term in terms)]

    print(f"per-group substring loop:           {rate(per_group, corpus[:500]):10,.0f} posts/s")
    try:
        from opencc import OpenCC  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        print("opencc-python-reimplemented not installed: no OpenCC timing")
        return
    converter = OpenCC("t2s")
    print(f"OpenCC t2s (pure Python):          {rate(converter.convert, corpus):10,.0f} posts/s")


if __name__ == "__main__":
    raise SystemExit(main())
