"""SnowNLP's Traditional → Simplified conversion (``snownlp.normal.zh2hans``), without importing SnowNLP.

SnowNLP replaces, left to right, the longest phrase of its table (``snownlp/normal/zh.py``:
3,206 characters and phrases, quirks included — ``的士`` becomes ``出租车``) found at each
position; a character not in the table stays. :func:`to_simplified` does the same with one
regular expression (the phrases longest first, then the single characters), reading the table
from ``models/snownlp-zh2hans.tsv`` — copied from SnowNLP (MIT-licensed, ``models/SNOWNLP.md``)
by ``python -m monitor.enrich.snownlp_data`` and checked against the installed SnowNLP by
``tests/enrich/test_snownlp_data.py``. Importing any ``snownlp`` module loads all of
SnowNLP's models (~400 MB); this table takes well under 1 MB.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from monitor.errors import ConfigError

TABLE_PATH = Path(__file__).resolve().parent / "models" / "snownlp-zh2hans.tsv"
REBUILD_COMMAND = "python -m monitor.enrich.snownlp_data"

_lock = threading.Lock()
_converter: _Converter | None = None


class _Converter:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        phrases = sorted((key for key in table if len(key) > 1), key=len, reverse=True)
        chars = "".join(sorted(key for key in table if len(key) == 1))
        self.pattern = re.compile("|".join([*map(re.escape, phrases), f"[{re.escape(chars)}]"]))

    def convert(self, text: str) -> str:
        return self.pattern.sub(self._replacement, text)

    def _replacement(self, match: re.Match[str]) -> str:
        return self.table[match.group()]


def to_simplified(text: str) -> str:
    """``snownlp.normal.zh2hans(text)``, the same string."""
    global _converter
    converter = _converter
    if converter is None:
        with _lock:
            if _converter is None:
                _converter = _Converter(read_table())
            converter = _converter
    return converter.convert(text)


def read_table(path: Path = TABLE_PATH) -> dict[str, str]:
    """The conversion table: one ``phrase<TAB>replacement`` a line (a replacement may be empty)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ConfigError(
            [
                f"{path}: SnowNLP's Traditional→Simplified table is missing ({exc}); "
                f"rebuild it with `{REBUILD_COMMAND}`"
            ]
        ) from exc
    table: dict[str, str] = {}
    for line in filter(None, lines):
        key, value = line.split("\t", 1)
        table[key] = value
    return table


def write_table(table: dict[str, str], path: Path = TABLE_PATH) -> None:
    """Write the table in SnowNLP's order (which decides nothing: lookups are by longest phrase)."""
    path.write_text("".join(f"{key}\t{value}\n" for key, value in table.items()), encoding="utf-8")
