"""Training: a model and its card from train/dev CSVs, deterministic, loadable by name or path.

Uses the labelled dev samples in ``tests/fixtures/sentiment/`` as a tiny data set.
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.enrich.sentiment import load_scorer
from monitor.enrich.train_sentiment import WEIGHTS, main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sentiment"


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for dataset in WEIGHTS:
        (data / dataset).mkdir(parents=True)
        sample = FIXTURES / f"{dataset}_dev200.csv"
        rows = sample.read_text(encoding="utf-8").splitlines(keepends=True)
        (data / dataset / "train.csv").write_text("".join(rows[:151]), encoding="utf-8")
        (data / dataset / "dev.csv").write_text(rows[0] + "".join(rows[151:]), encoding="utf-8")
    return data


def test_training_writes_a_deterministic_model_and_its_card(tmp_path: Path) -> None:
    data = _data(tmp_path)
    lines: list[str] = []
    first = tmp_path / "a" / "tiny.bayes.json.gz"
    second = tmp_path / "b" / "tiny.bayes.json.gz"
    for out in (first, second):
        out.parent.mkdir()
        args = ["--data-dir", str(data), "--out", str(out), "--workers", "1"]
        assert main(args, out=lines.append) == 0
    assert first.read_bytes() == second.read_bytes()
    card = json.loads((first.parent / "tiny.json").read_text(encoding="utf-8"))
    assert card["name"] == "tiny"
    assert 0 < card["negative_below"] < 1
    assert set(card["dev"]) == set(WEIGHTS)
    assert card["training_data"]["smp2020_ewect"] == {"split": "train", "rows": 150, "weight": 3.0}
    assert any(line.startswith("tiny: negative_below=") for line in lines)
    scorer = load_scorer(str(first))
    assert scorer.name == "tiny" and scorer.negative_below == card["negative_below"]


def test_calibrate_only_keeps_the_model(tmp_path: Path) -> None:
    data = _data(tmp_path)
    out = tmp_path / "tiny.bayes.json.gz"
    assert main(["--data-dir", str(data), "--out", str(out), "--workers", "1"], out=lambda _: None) == 0
    before = out.read_bytes()
    (tmp_path / "tiny.json").unlink()
    args = ["--data-dir", str(data), "--out", str(out), "--calibrate-only"]
    assert main(args, out=lambda _: None) == 0
    assert out.read_bytes() == before
    assert (tmp_path / "tiny.json").is_file()
