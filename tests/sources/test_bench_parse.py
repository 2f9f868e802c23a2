"""The parse benchmark runs and reports every figure (tiny run: two pages of each kind, one round).

Fixtures: tests/fixtures/discuz/ (the benchmark's default input).
"""

from __future__ import annotations

import pytest

from monitor.sources import bench_parse


def test_benchmark_reports_each_parser_and_the_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_parse.main(["--repeat", "1", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    for label in ("bs4 + lxml", "bs4 + html.parser", "lxml tree only", "lxml (adapter)", "decode_page"):
        assert sum(line.startswith(label) for line in out.splitlines()) == 2  # thread and board pages
    assert "ms/post" in out and "of SnowNLP" in out
    assert "hot path (decode + lxml adapter) =" in out


def test_benchmark_needs_fixtures(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bench_parse.main(["--fixtures", str(tmp_path / "missing")])
    assert "no fixtures" in capsys.readouterr().err
