"""URL templates such as ``viewtopic.php?t={thread}&start={start}``: fill one in, or read the
values back out of a URL built from it.

Placeholders: ``{board}``, ``{thread}``, ``{page}`` (1-based) and ``{start}`` (the 0-based
offset of the page's first item: ``(page - 1) * per_page``, as phpBB and vBulletin count).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

PLACEHOLDERS = frozenset({"board", "thread", "page", "start"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def check(template: str) -> str:
    """``template`` itself; ``ValueError`` naming an unknown placeholder."""
    for name in _PLACEHOLDER.findall(template):
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}} (known: {', '.join(sorted(PLACEHOLDERS))})")
    return template


def fill(template: str, base_url: str, *, per_page: int, page: int = 1, **ids: str) -> str:
    """The absolute URL ``template`` names for ``ids`` (``board=…``/``thread=…``) and ``page``."""
    values = {**ids, "page": str(page), "start": str((page - 1) * per_page)}
    path = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    return urljoin(base_url, path)


def extract(template: str, base_url: str, url: str, *, per_page: int) -> dict[str, str]:
    """The placeholder values in ``url`` if it was built from ``template``, with ``page``
    worked out from ``start`` when only that is in it; ``{}`` when it does not match.

    Trailing parts of the template that the URL leaves out (``&start={start}`` on a first
    page linked without it) may be missing."""
    pattern = _pattern(urljoin(base_url, template))
    found = pattern.match(url)
    if found is None:
        return {}
    values = {k: v for k, v in found.groupdict().items() if v is not None}
    if "page" not in values and values.get("start", "").isdigit():
        values["page"] = str(int(values["start"]) // max(per_page, 1) + 1)
    return values


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)
    regex = ""
    optional = 0
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if index and part[:1] in ("&", ";", "/", "-", "_", "."):
                regex += "(?:"  # what follows a placeholder may be cut off: make it optional
                optional += 1
            regex += re.escape(part)
        else:
            name = part
            group = f"(?P<{name}>[^&/?#;]+?)" if f"(?P<{name}>" not in regex else f"(?P={name})"
            regex += group
    regex += ")?" * optional
    return re.compile(regex + r"(?:[#&].*)?$")
