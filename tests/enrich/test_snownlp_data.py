"""The data copied from SnowNLP equals the installed SnowNLP's, and scoring never imports SnowNLP.

Reads the 800 labelled posts in ``tests/fixtures/sentiment/`` (see its README). When a
SnowNLP upgrade changes its model, the first two tests fail: rebuild the files with
``python -m monitor.enrich.snownlp_data``.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from snownlp import seg
from snownlp.normal import zh

from monitor.enrich import simplified
from monitor.enrich.segment_table import REBUILD_COMMAND, SegmentTable, shipped_table
from monitor.errors import ConfigError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sentiment"


def test_shipped_segment_table_equals_the_installed_snownlp_model() -> None:
    assert shipped_table() == SegmentTable.from_model(seg.segger.segger)


def test_shipped_simplified_table_equals_the_installed_snownlp_table() -> None:
    assert simplified.read_table() == zh.zh2hans


def test_to_simplified_gives_snownlps_text() -> None:
    texts: list[str] = []
    for path in sorted(FIXTURES.glob("*_dev200.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            texts.extend(row["text"] for row in csv.DictReader(stream))
    # Phrases, their prefixes and overlapping neighbours, mixed with other text.
    pieces = [*zh.zh2hans, *(key[: len(key) // 2 + 1] for key in zh.zh2hans), "的", "士", "a", " ", "好"]
    generator = random.Random(2047)
    texts += ["".join(generator.choices(pieces, k=40)) for _ in range(3000)]
    texts += ["", "飛機飛向藍天", "的士的士", "乾坤乾隆乾", "大衛碧咸", "[淚]"]
    assert [simplified.to_simplified(text) for text in texts] == [zh.transfer(text) for text in texts]


def test_a_table_reads_back_as_written(tmp_path: Path) -> None:
    shipped = shipped_table()
    table = replace(  # a slice of the shipped table: compressing all of it takes seconds
        shipped,
        bi_keys=shipped.bi_keys[-5000:],
        bi_counts=shipped.bi_counts[-5000:],
        tri_keys=shipped.tri_keys[-5000:],
        tri_counts=shipped.tri_counts[-5000:],
    )
    path = tmp_path / "seg.bin.xz"
    table.write(path)
    assert SegmentTable.read(path) == table


def test_a_missing_table_names_the_command_that_rebuilds_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=REBUILD_COMMAND):
        shipped_table(tmp_path / "snownlp-seg.bin.xz")
    (tmp_path / "broken.bin.xz").write_bytes(b"not xz")
    with pytest.raises(ConfigError, match=REBUILD_COMMAND):
        shipped_table(tmp_path / "broken.bin.xz")
    with pytest.raises(ConfigError, match=simplified.REBUILD_COMMAND):
        simplified.read_table(tmp_path / "snownlp-zh2hans.tsv")


def test_scoring_with_the_default_model_never_imports_snownlp() -> None:
    program = (
        "import sys\n"
        "from monitor.enrich.sentiment import load_scorer, score_post\n"
        "scorer = load_scorer()\n"
        "score = score_post(scorer, '飛機上的客服態度太差了，我要投訴！', '工厂又出事故了')\n"
        "assert score.own is not None and score.quoted is not None\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'snownlp')\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True, timeout=120)
