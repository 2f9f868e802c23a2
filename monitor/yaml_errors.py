"""How a config or data file that cannot be read as YAML is said: on one line, with its place."""

from __future__ import annotations

from pathlib import Path


def yaml_problem(file: Path | str, exc: Exception) -> str:
    """A YAML syntax error (PyYAML's or ruamel's) on one line: ``file: line 34, column 18: not valid
    YAML: mapping values are not allowed here`` (their own text spans several lines, which breaks a
    one-line log)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
    problem = getattr(exc, "problem", None) or type(exc).__name__
    context = getattr(exc, "context", None)
    said = f"{problem} ({context})" if context else str(problem)
    return f"{file}: {where}: not valid YAML: {' '.join(said.split())}"


def not_utf8(file: Path | str, exc: UnicodeDecodeError) -> str:
    """A config file that is not UTF-8, with the usual cause and its fix."""
    return (
        f"{file}: not UTF-8 text (byte {exc.start}): save it as UTF-8 (Windows Notepad's 'ANSI' "
        "writes GBK, which reads like this)"
    )
