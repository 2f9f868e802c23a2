"""Write watch groups into a hand-written ``watch_groups.yaml`` without disturbing it (ruamel.yaml
round trip), for :mod:`monitor.enrich.watch_admin`.

- Comments, order, flow or block style and quoting are kept (``preserve_quotes``: a ``"no"`` the
  user quoted stays quoted), and the indentation of block sequences is taken from the file
  (``- name:`` under ``watch_groups:`` at column 0 or 2), so the groups an edit does not touch keep
  their bytes.
- Every name, term and expression written here is double-quoted: the service reads the file with
  ``yaml.safe_load`` (YAML 1.1), which reads bare ``no``, ``on``, ``8848``, ``0123``, ``1_000``,
  ``1:20``, ``null`` or ``~`` as something other than text.
"""

from __future__ import annotations

import io
from typing import Any

from monitor.config.files import WatchGroupConfig


def load(text: str) -> tuple[Any, Any]:
    """A ruamel.yaml handler that writes the way ``text`` is written, and ``text`` loaded by it,
    with a ``watch_groups`` sequence (added when missing)."""
    from ruamel.yaml import YAML  # only the edit commands need it
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.util import load_yaml_guess_indent

    handler = YAML()
    handler.preserve_quotes = True
    handler.width = 4096
    document, indent, dash_offset = load_yaml_guess_indent(text, yaml=handler)
    if indent is None or dash_offset is None or not 0 <= dash_offset <= indent - 2:
        indent, dash_offset = 4, 2
    handler.indent(mapping=2, sequence=indent, offset=dash_offset)
    if document is None:
        document = CommentedMap()
    if document.get("watch_groups") is None:
        document["watch_groups"] = CommentedSeq()
    return handler, document


def dump(handler: Any, document: Any) -> str:
    buffer = io.StringIO()
    handler.dump(document, buffer)
    return buffer.getvalue()


def quoted(text: str) -> Any:
    """A name, term or expression as ``monitor watch`` writes it: double-quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def new_entry(group: WatchGroupConfig) -> Any:
    """A group as ``monitor watch add`` writes it: only the keys that are set, lists in flow style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    entry["name"] = quoted(group.name)
    entry["category"] = group.category
    for key in ("include", "aliases", "exclude"):
        terms = getattr(group, key)
        if terms:
            seq = CommentedSeq([quoted(t) for t in terms])
            seq.fa.set_flow_style()
            entry[key] = seq
    if group.expression is not None:
        entry["expression"] = quoted(group.expression)
    return entry


def update_entry(entry: Any, group: WatchGroupConfig) -> None:
    """Make the file's ``entry`` say ``group`` in place (``--replace``): the name as it is written,
    and the comments on the keys that stay, are kept."""
    new = new_entry(group)
    for key in [k for k in entry if k not in new]:
        del entry[key]
    for key, value in new.items():
        if key != "name":
            entry[key] = value
