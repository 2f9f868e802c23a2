"""SnowNLP's segmentation model as compact integer tables, read without importing SnowNLP.

SnowNLP keeps its segmentation model (``snownlp/seg/seg.marshal.3``) as three dictionaries
keyed by nested tuples of ``(character, tag)`` — 12,938 unigram, 345,726 bigram and 928,492
trigram counts, over 400 MB once loaded with the rest of the package. :class:`SegmentTable`
holds the same counts:

* ``chars``: the model's characters in code-point order; a character's number is its position
  plus one (0 is the empty begin-of-sentence character);
* ``uni``: five counts per character number, one per tag (b, m, e, s, BOS);
* ``bi_keys`` / ``tri_keys``: sorted 64-bit keys packing the character numbers of a bigram
  (trigram) and, in the low bits, its tags (``t1 * 5 + t2``; ``(t1 * 5 + t2) * 5 + t3``), with
  the counts at the same positions in ``bi_counts`` / ``tri_counts``. All the tag
  combinations of one character pair (triple) are neighbours: one binary search finds them.

It is stored in ``models/snownlp-seg.bin.xz`` (about 2 MB), derived from SnowNLP's shipped
model by ``python -m monitor.enrich.snownlp_data``; ``tests/enrich/test_snownlp_data.py``
checks it still equals the installed SnowNLP's model. SnowNLP is MIT-licensed
(``models/SNOWNLP.md``).
"""

from __future__ import annotations

import json
import lzma
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

TABLE_PATH = Path(__file__).resolve().parent / "models" / "snownlp-seg.bin.xz"
REBUILD_COMMAND = "python -m monitor.enrich.snownlp_data"
TAGS = ("b", "m", "e", "s", "BOS")
TAG_INDEX = {tag: index for index, tag in enumerate(TAGS)}
BI_TAG_BITS = 5  # t1 * 5 + t2 < 32
TRI_TAG_BITS = 7  # (t1 * 5 + t2) * 5 + t3 < 128
_MAGIC = b"snownlp-seg 1\n"


@dataclass
class SegmentTable:
    """SnowNLP's segmentation counts and interpolation weights (see the module docstring)."""

    l1: float
    l2: float
    l3: float
    uni_total: float
    chars: str
    uni: array[int]
    bi_keys: array[int]
    bi_counts: array[int]
    tri_keys: array[int]
    tri_counts: array[int]

    @property
    def char_bits(self) -> int:
        """Bits of a character number in a packed key."""
        return len(self.chars).bit_length()

    def numbers(self) -> dict[str, int]:
        """Each character's number, the empty begin-of-sentence character's (0) included."""
        return {"": 0} | {char: number for number, char in enumerate(self.chars, start=1)}

    def bi_block(self, first: int, second: int) -> dict[int, int]:
        """Counts of the bigrams of two character numbers, keyed by ``t1 * 5 + t2``."""
        return _block(self.bi_keys, self.bi_counts, first << self.char_bits | second, BI_TAG_BITS)

    def tri_block(self, first: int, second: int, third: int) -> dict[int, int]:
        """Counts of the trigrams of three character numbers, keyed by ``(t1 * 5 + t2) * 5 + t3``."""
        bits = self.char_bits
        return _block(self.tri_keys, self.tri_counts, (first << bits | second) << bits | third, TRI_TAG_BITS)

    @classmethod
    def from_model(cls, model: Any) -> SegmentTable:
        """The table of SnowNLP's ``CharacterBasedGenerativeModel`` (``snownlp.seg.segger.segger``)."""
        chars = "".join(sorted({char for char, _ in model.uni.d} - {""}))
        numbers = {"": 0} | {char: number for number, char in enumerate(chars, start=1)}
        bits = len(chars).bit_length()
        uni = array("q", [0] * (len(numbers) * len(TAGS)))
        for (char, tag), count in model.uni.d.items():
            uni[numbers[char] * len(TAGS) + TAG_INDEX[tag]] = count
        bi = sorted(
            (((numbers[c1] << bits | numbers[c2]) << BI_TAG_BITS) | TAG_INDEX[t1] * 5 + TAG_INDEX[t2], count)
            for ((c1, t1), (c2, t2)), count in model.bi.d.items()
        )
        tri = sorted(
            (
                (((numbers[c1] << bits | numbers[c2]) << bits | numbers[c3]) << TRI_TAG_BITS)
                | (TAG_INDEX[t1] * 5 + TAG_INDEX[t2]) * 5 + TAG_INDEX[t3],
                count,
            )
            for ((c1, t1), (c2, t2), (c3, t3)), count in model.tri.d.items()
        )
        return cls(
            l1=model.l1,
            l2=model.l2,
            l3=model.l3,
            uni_total=model.uni.getsum(),
            chars=chars,
            uni=uni,
            bi_keys=array("q", (key for key, _ in bi)),
            bi_counts=array("q", (count for _, count in bi)),
            tri_keys=array("q", (key for key, _ in tri)),
            tri_counts=array("q", (count for _, count in tri)),
        )

    def write(self, path: Path) -> None:
        """Write the table xz-compressed: a JSON header line, then the arrays (keys as differences)."""
        arrays = [
            self.uni,
            _differences(self.bi_keys),
            self.bi_counts,
            _differences(self.tri_keys),
            self.tri_counts,
        ]
        header = {
            "l1": self.l1,
            "l2": self.l2,
            "l3": self.l3,
            "uni_total": self.uni_total,
            "chars": self.chars,
            "lengths": [len(values) for values in arrays],
        }
        body = b"".join(_little_endian(values) for values in arrays)
        payload = _MAGIC + json.dumps(header, ensure_ascii=False).encode() + b"\n" + body
        path.write_bytes(lzma.compress(payload, preset=9 | lzma.PRESET_EXTREME))

    @classmethod
    def read(cls, path: Path) -> SegmentTable:
        """Read a table written by :meth:`write`."""
        payload = lzma.decompress(path.read_bytes())
        if not payload.startswith(_MAGIC):
            raise ValueError(f"{path} is not a segmentation table")
        header_end = payload.index(b"\n", len(_MAGIC))
        header = json.loads(payload[len(_MAGIC) : header_end])
        arrays: list[array[int]] = []
        offset = header_end + 1
        for length in header["lengths"]:
            values = array("q")
            values.frombytes(payload[offset : offset + length * values.itemsize])
            if sys.byteorder == "big":
                values.byteswap()
            arrays.append(values)
            offset += length * values.itemsize
        uni, bi_steps, bi_counts, tri_steps, tri_counts = arrays
        return cls(
            l1=header["l1"],
            l2=header["l2"],
            l3=header["l3"],
            uni_total=header["uni_total"],
            chars=header["chars"],
            uni=uni,
            bi_keys=array("q", accumulate(bi_steps)),
            bi_counts=bi_counts,
            tri_keys=array("q", accumulate(tri_steps)),
            tri_counts=tri_counts,
        )


def shipped_table(path: Path = TABLE_PATH) -> SegmentTable:
    """The shipped table; :class:`~monitor.errors.ConfigError` naming the command that rebuilds it."""
    try:
        return SegmentTable.read(path)
    except (OSError, ValueError, KeyError, lzma.LZMAError) as exc:
        raise ConfigError(
            [
                f"{path}: SnowNLP's segmentation table is missing or unreadable ({exc}); "
                f"rebuild it with `{REBUILD_COMMAND}`"
            ]
        ) from exc


def _block(keys: array[int], counts: array[int], prefix: int, tag_bits: int) -> dict[int, int]:
    low = prefix << tag_bits
    high = low + (1 << tag_bits)
    found: dict[int, int] = {}
    at = bisect_left(keys, low)
    end = len(keys)
    while at < end and keys[at] < high:
        found[keys[at] - low] = counts[at]
        at += 1
    return found


def _differences(keys: array[int]) -> array[int]:
    return array("q", (key - previous for previous, key in zip([0, *keys], keys, strict=False)))


def _little_endian(values: array[int]) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()
