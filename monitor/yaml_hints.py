"""Plain hints for the YAML syntax errors people make editing config files by hand.

:func:`yaml_hint` reads the parser's error and the file's lines and says, where it can tell, what
to change and on which line — in words an ops person or a PR colleague can act on, instead of
PyYAML's "expected <block end>, but found '<block mapping start>'".
"""

from __future__ import annotations

from typing import Any

SCAN_BACK = 2  # lines above the error searched for a full-width colon or comma (the error is often later)


def yaml_hint(lines: list[str], exc: Exception) -> tuple[int, str] | None:
    """(the line to change, 0-based; what to do), or None when no common cause fits."""
    mark: Any = getattr(exc, "problem_mark", None)
    if mark is None or not 0 <= mark.line <= len(lines):
        return None
    opened: Any = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    at = min(mark.line, len(lines) - 1)
    for hint in (
        _tab(lines, at, opened),
        _full_width(lines, at, opened, context),
        _unclosed(lines, mark, opened, context),
        _indented(lines, at, problem),
        _colon_in_value(lines, at, problem),
    ):
        if hint is not None:
            return hint
    return None


def _said(line: str) -> str:
    text = line.strip()
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _tab(lines: list[str], at: int, opened: Any) -> tuple[int, str] | None:
    first = opened.line if opened is not None and opened.line <= at else at
    for number in range(at, max(first, at - SCAN_BACK) - 1, -1):
        if "\t" in lines[number][: len(lines[number]) - len(lines[number].lstrip())]:
            return number, (
                f"line {number + 1} is indented with a tab character: YAML indents with spaces only; "
                "replace the tab with spaces, lined up with the line it belongs beside"
            )
    return None


def _full_width(lines: list[str], at: int, opened: Any, context: str) -> tuple[int, str] | None:
    first = max(0, at - SCAN_BACK, opened.line if opened is not None and opened.line <= at else 0)
    for number in range(at, first - 1, -1):
        line = lines[number]
        if "：" in line:
            before = line[: line.index("：")].strip().removeprefix("- ").strip()
            if before and not any(mark in before for mark in (":", '"', "'", "#")):
                after = line[line.index("：") + 1 :].strip()
                return number, (
                    f"line {number + 1} has a full-width colon '：' in {_said(line)}: YAML needs an "
                    f"ASCII colon and a space after a key, as in '{before}: {after}'"
                )
        if "，" in line and "flow" in context:
            return number, (
                f"line {number + 1} has a full-width comma '，' in {_said(line)}: items in [ ] or {{ }} "
                "are separated by an ASCII comma ','"
            )
    return None


def _unclosed(lines: list[str], mark: Any, opened: Any, context: str) -> tuple[int, str] | None:
    if opened is None or opened.line >= len(lines) or opened.column >= len(lines[opened.line]):
        return None
    where = f"line {opened.line + 1}, column {opened.column + 1}"
    if "quoted scalar" in context:
        quote = lines[opened.line][opened.column]
        return opened.line, (
            f"the quote {quote} opened at {where} is never closed: end the value with {quote} "
            "on the same line"
        )
    if "flow sequence" in context or "flow mapping" in context:
        if mark.line == opened.line:
            return None
        bracket, close = ("[", "]") if "sequence" in context else ("{", "}")
        return opened.line, (
            f"the {bracket} opened at {where} is not closed before line {mark.line + 1}: close it with "
            f"{close} on line {opened.line + 1} (items are separated by ',')"
        )
    return None


def _columns(line: str) -> list[int]:
    """Where a key beside this line's would start: its indent, and the key after a '- '."""
    indent = _indent(line)
    text = line.strip()
    if text.startswith("- "):
        return [indent, indent + len(line[indent + 1 :]) - len(line[indent + 1 :].lstrip(" ")) + 1]
    return [indent]


def _content(line: str) -> bool:
    return bool(line.strip()) and not line.strip().startswith("#")


def _indented(lines: list[str], at: int, problem: str) -> tuple[int, str] | None:
    """A line indented so it lines up with no line above it, or deeper than a line that has its value."""
    if not problem.startswith(("expected <block end>", "mapping values are not allowed here")):
        return None
    indent = _indent(lines[at])
    above = [number for number in range(at - 1, -1, -1) if _content(lines[number])]
    if not above:
        return None
    nearest = above[0]
    nearest_line = lines[nearest]
    if indent > max(_columns(nearest_line)):
        if nearest_line.rstrip().endswith(":"):
            return None  # the first key under its parent: not a slip of indent
        column = max(_columns(nearest_line))
        return at, (
            f"line {at + 1} is indented {indent} spaces, deeper than line {nearest + 1} above it "
            f"({_said(nearest_line)}, {column} spaces), which already has its value: to be a key beside "
            f"it, indent it {column} spaces"
        )
    if problem.startswith("mapping values"):
        return None
    lower: tuple[int, int] | None = None  # (line, column) lining up left of this indent, nearest
    upper: tuple[int, int] | None = None  # right of it
    lowest = indent + 1
    for number in above:  # the lines that enclose this one, nearest first
        columns = _columns(lines[number])
        if indent in columns:
            return None  # it lines up with something: the slip is elsewhere
        if upper is None and any(c > indent for c in columns):
            upper = (number, min(c for c in columns if c > indent))
        if min(columns) < lowest and any(c < indent for c in columns):
            lower = lower or (number, max(c for c in columns if c < indent))
            lowest = min(columns)
    if lower is None or upper is None:
        return None
    if upper[0] == lower[0]:  # '- key:': between the dash and the key after it
        between = (
            f"line {upper[0] + 1} ({_said(lines[upper[0]])}) has its dash at {lower[1]} spaces and its key at"
        )
        between += f" {upper[1]}"
    else:
        between = (
            f"line {upper[0] + 1} ({_said(lines[upper[0]])}) is at {upper[1]} spaces, line {lower[0] + 1} "
            f"({_said(lines[lower[0]])}) at {lower[1]}"
        )
    return at, (
        f"line {at + 1} is indented {indent} spaces, which lines up with no line above it: {between}; "
        "indent it exactly as the key it belongs beside"
    )


def _colon_in_value(lines: list[str], at: int, problem: str) -> tuple[int, str] | None:
    line = lines[at]
    if not problem.startswith("mapping values are not allowed here") or line.count(": ") < 2:
        return None
    key, _, value = line.strip().removeprefix("- ").partition(": ")
    quoted = value.replace('"', '\\"')
    return at, (
        f"the value on line {at + 1} holds ': ', which YAML reads as another key: put the value in "
        f'quotes, as in {key}: "{quoted}"'
    )
