"""Rebuild the data this package takes from SnowNLP, from the installed ``snownlp``.

    python -m monitor.enrich.snownlp_data

Writes ``models/snownlp-seg.bin.xz`` (:mod:`monitor.enrich.segment_table`) and
``models/snownlp-zh2hans.tsv`` (:mod:`monitor.enrich.simplified`). Run it after upgrading
SnowNLP when ``tests/enrich/test_snownlp_data.py`` reports that its model changed; the
monitor itself never imports SnowNLP to score with a retrained model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from monitor.enrich import segment_table, simplified


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.enrich.snownlp_data", description=__doc__)
    parser.add_argument("--models-dir", type=Path, default=segment_table.TABLE_PATH.parent)
    args = parser.parse_args(argv)

    from snownlp import seg  # the build step is the one place that loads SnowNLP's models
    from snownlp.normal import zh

    table_path = args.models_dir / segment_table.TABLE_PATH.name
    segment_table.SegmentTable.from_model(seg.segger.segger).write(table_path)
    print(f"wrote {table_path} ({table_path.stat().st_size:,} bytes)")
    zh_path = args.models_dir / simplified.TABLE_PATH.name
    simplified.write_table(dict(zh.zh2hans), zh_path)
    print(f"wrote {zh_path} ({zh_path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
