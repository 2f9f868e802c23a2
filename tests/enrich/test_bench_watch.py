"""The watch benchmark runs (small sizes; the real figures come from
``python -m monitor.enrich.bench_watch``). Reads the demo scenario's posts."""

from __future__ import annotations

import pytest

from monitor.enrich.bench_watch import main, make_corpus, make_groups


def test_generated_groups_spread_the_terms() -> None:
    groups = make_groups(50, 500)
    assert len(groups) == 50
    assert sum(len(g.include) + len(g.aliases) for g in groups) == 500
    assert len(make_corpus(100, groups)) == 100


def test_the_benchmark_prints_posts_per_second(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--groups", "20", "--terms", "200", "--posts", "200", "--compare"]) == 0
    out = capsys.readouterr().out
    assert "match, 20 groups" in out and "posts/s" in out
    assert "normalise+match+signals+category" in out
