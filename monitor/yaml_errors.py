"""How a config or data file that cannot be read as YAML is said: on one line, with its place.

The common slips of a person editing a file get a plain hint first (:func:`yaml_hint`): a line
indented so that it lines up with nothing above it, a full-width ``：`` or ``，`` typed with a
Chinese input method where YAML needs ``:`` or ``,``, a tab, a quote or bracket never closed, a
value holding ``: `` without quotes. The parser's own words and place follow in brackets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.yaml_hints import yaml_hint


def yaml_problem(file: Path | str, exc: Exception, text: str | None = None) -> str:
    """A YAML syntax error (PyYAML's or ruamel's) on one line. With a hint: ``file: line 2: not
    valid YAML: <hint> [line 3, column 12: mapping values are not allowed here]``; without one:
    ``file: line 3, column 12: not valid YAML: mapping values are not allowed here`` (their own text
    spans several lines, which breaks a one-line log). ``text``: the file's text, when the parser
    did not keep it (it keeps it for text it was given as a string)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
    problem = getattr(exc, "problem", None) or type(exc).__name__
    context = getattr(exc, "context", None)
    said = " ".join((f"{problem} ({context})" if context else str(problem)).split())
    lines = _lines(mark, text)
    hint = yaml_hint(lines, exc) if lines is not None else None
    if hint is None:
        return f"{file}: {where}: not valid YAML: {said}"
    line, advice = hint
    return f"{file}: line {line + 1}: not valid YAML: {advice} [{where}: {said}]"


def _lines(mark: Any, text: str | None) -> list[str] | None:
    if text is None:
        buffer = getattr(mark, "buffer", None)
        text = buffer.rstrip("\0") if isinstance(buffer, str) else None
    return text.splitlines() if text is not None else None


def not_utf8(file: Path | str, exc: UnicodeDecodeError) -> str:
    """A config file that is not UTF-8, with the usual cause and its fix."""
    return (
        f"{file}: not UTF-8 text (byte {exc.start}): save it as UTF-8 (Windows Notepad's 'ANSI' "
        "writes GBK, which reads like this)"
    )
