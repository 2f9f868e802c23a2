"""``monitor eval detect`` end to end on the real samples in tests/fixtures/growth/ (see its README)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from monitor.cli import main

GROWTH = Path(__file__).resolve().parents[1] / "fixtures" / "growth"
RESULT = re.compile(
    r"^RESULT detector=(\S+) T=(\S+) auc=(\S+) recall_at_fpr2=(\S+) recall_at_fpr5=(\S+) f1=(\S+) "
    r"median_lead_h=(\S+) dataset=(\S+) n=(\d+) positives=(\d+)$"
)


def _results(text: str) -> dict[tuple[str, str, str], dict[str, float]]:
    found: dict[tuple[str, str, str], dict[str, float]] = {}
    for line in text.splitlines():
        if line.startswith("RESULT "):
            m = RESULT.match(line)
            assert m, line
            detector, at, auc, r2, r5, f1, lead, dataset, n, pos = m.groups()
            found[(dataset, detector, at)] = {
                "auc": float(auc),
                "r2": float(r2),
                "r5": float(r5),
                "f1": float(f1),
                "lead": float(lead),
                "n": int(n),
                "pos": int(pos),
            }
    return found


def test_eval_detect_on_the_samples_prints_every_detector_and_t(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "detect", "--data", str(GROWTH)]) == 0
    out = capsys.readouterr().out
    results = _results(out)
    assert len(results) == 3 * 3 * 3
    assert {k[0] for k in results} == {"cascades", "reddit_college", "weibo_ced"}
    assert out.rstrip().splitlines()[-1].startswith("RESULT ")
    assert "reporting on part 'report'" in out
    for (dataset, detector, at), r in results.items():
        assert 0.0 <= r["auc"] <= 1.0 and 0.0 <= r["r2"] <= r["r5"] <= 1.0, (dataset, detector, at)
        assert r["pos"] > 0 and r["n"] > r["pos"]
    for dataset in ("cascades", "reddit_college", "weibo_ced"):
        # the same threads for every detector at a given T
        assert len({(r["n"], r["pos"]) for k, r in results.items() if k[0] == dataset and k[2] == "1h"}) == 1
        # at 0.5 h the two naive scores coincide (30 min covers the whole history)
        assert results[(dataset, "count_so_far", "0.5h")] == results[(dataset, "last_30min", "0.5h")]
    # on these samples the detector ranks escalating threads well above chance
    assert min(r["auc"] for k, r in results.items() if k[1] == "monitor") >= 0.7


def test_eval_detect_with_fit_data_reports_on_every_thread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    held_out = tmp_path / "heldout" / "reddit_college"
    shutil.copytree(GROWTH / "reddit_college", held_out)
    code = main(["eval", "detect", "--data", str(held_out), "--fit-data", str(GROWTH), "--at", "1"])
    assert code == 0
    out = capsys.readouterr().out
    results = _results(out)
    assert set(results) == {("reddit_college", d, "1h") for d in ("monitor", "count_so_far", "last_30min")}
    assert results[("reddit_college", "monitor", "1h")]["n"] == 80  # every thread, none held back
    assert f"reporting on all of {held_out}" in out


def test_eval_detect_bad_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "detect", "--data", str(tmp_path / "nowhere")]) == 1
    assert "no such data folder" in capsys.readouterr().err
    broken = tmp_path / "broken"
    shutil.copytree(GROWTH / "cascades", broken)
    (broken / "threads.jsonl").write_text('{"thread_id": "1", "ts": [1, 2]}\nnot json\n', encoding="utf-8")
    assert main(["eval", "detect", "--data", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "threads.jsonl:1" in err or "threads.jsonl:2" in err
    assert main(["eval", "detect", "--data", str(GROWTH), "--at", "soon"]) == 1
    assert "--at" in capsys.readouterr().err


def test_eval_polling_prints_both_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "polling", "--data", str(GROWTH / "reddit_college"), "--threads", "30"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("RESULT polling=")]
    assert [line.split()[1] for line in lines] == ["polling=fixed", "polling=adaptive"]
    assert all("dataset=reddit_college" in line for line in lines)


def test_eval_detect_bootstrap_gives_intervals_per_t(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "detect", "--data", str(GROWTH / "cascades"), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "AUC lead" in line]
    assert [line.split(":")[0].strip() for line in lines] == ["0.5h", "1h", "2h"]
    auc_1h = _results(out)[("cascades", "monitor", "1h")]["auc"]
    low, high = (float(x) for x in re.findall(r"AUC (?:\S+) \(95 % CI (\S+) … (\S+)\)", lines[1])[0])
    assert low <= auc_1h <= high
    assert "over count_so_far" in lines[1] and "over last_30min" in lines[1]
    assert out.rstrip().splitlines()[-1].startswith("RESULT ")  # the machine-readable lines stay last


def test_eval_detect_bootstrap_needs_enough_resamples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "detect", "--data", str(GROWTH / "cascades"), "--bootstrap", "3"]) != 0
    assert "--bootstrap: at least 10 resamples" in capsys.readouterr().err
