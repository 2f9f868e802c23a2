"""``monitor eval sentiment`` end to end on a labelled dev sample (tests/fixtures/sentiment/)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.commands.eval_group import eval_subcommands
from monitor.enrich.sentiment import skip_reason

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sentiment" / "smp2020_ewect_dev200.csv"


def results(output: str) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for line in output.splitlines():
        if line.startswith("RESULT "):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            model = fields.pop("model")
            found[model] = {key: float(value) for key, value in fields.items()}
    return found


def test_eval_sentiment_compares_the_shipped_model_with_stock(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "sentiment", "--data", str(SAMPLE), "--limit", "150", "--workers", "1"]) == 0
    output = capsys.readouterr().out
    lines = output.strip().splitlines()
    assert lines[-2].startswith("RESULT model=forum-v1 ")
    assert lines[-1].startswith("RESULT model=snownlp-stock ")
    found = results(output)
    assert set(found) == {"forum-v1", "snownlp-stock"}
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        texts = [row["text"] for row in csv.DictReader(stream)][:150]
    scorable = sum(1 for text in texts if skip_reason(text) is None)
    assert 140 <= scorable < 150  # a few posts are only emoji (lost as "??")
    assert f"150 rows, {scorable} scored" in output
    for figures in found.values():
        assert set(figures) == {"n", "accuracy", "macro_f1", "neg_f1", "auc", "posts_per_s"}
        assert figures["n"] == scorable
        assert 0 <= figures["accuracy"] <= 1 and figures["posts_per_s"] > 0
    assert found["forum-v1"]["auc"] > found["snownlp-stock"]["auc"]
    assert found["forum-v1"]["macro_f1"] > found["snownlp-stock"]["macro_f1"]


def test_eval_sentiment_with_stock_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "sentiment", "--data", str(SAMPLE), "--model", "stock", "--limit", "20"]) == 0
    assert list(results(capsys.readouterr().out)) == ["snownlp-stock"]


def test_eval_sentiment_reports_bad_files_and_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("label,text\n1,好\n7,差\n", encoding="utf-8")
    assert main(["eval", "sentiment", "--data", str(bad)]) == 2
    assert "line 3: label: must be 0 or 1" in capsys.readouterr().err
    assert main(["eval", "sentiment", "--data", str(SAMPLE), "--model", "nope"]) == 1
    assert "unknown sentiment model 'nope'" in capsys.readouterr().err
    assert main(["eval", "sentiment", "--data", str(tmp_path / "missing.csv")]) == 2


def test_eval_group_is_created_once_and_shared() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    first = eval_subcommands(commands)
    first.add_parser("sentiment")
    second = eval_subcommands(commands)
    assert second is first
    second.add_parser("detect")
    assert parser.parse_args(["eval", "detect"]).eval_command == "detect"


def test_the_commands_default_model_is_the_shipped_default() -> None:
    from monitor.commands.eval_sentiment import DEFAULT_MODEL as COMMAND_DEFAULT
    from monitor.enrich.sentiment_models import DEFAULT_MODEL

    assert COMMAND_DEFAULT == DEFAULT_MODEL
