"""What a watch group's term may be, checked one term at a time as the file is loaded.

A term is text (YAML reads bare ``no``/``on``/``123`` as other types, and a converted keyword would
never match), a word matched as written — not a pattern (``退(款|货)``) and not a list typed as one
term (``途乐，退款`` with a Chinese comma) — and the terms of a key are a list, not one bare string.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field


def _term_is_text(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(
            f"must be text, got bool {value} (YAML reads bare yes/no/on/off/true/false as true or false: "
            'quote the word, e.g. "no")'
        )
    if isinstance(value, int | float):
        raise ValueError(
            f"must be text, got {type(value).__name__} {value!r} (YAML reads bare numbers as numbers, and "
            f'0123 or 1_000 change on the way: quote it as written, e.g. "{value}")'
        )
    if value is None:
        raise ValueError("must be text, got nothing (an empty item or a bare ~)")
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


# What regular expressions and wildcards are written with, and brand names are not: .* .+ .? a|b
# \d \w \s \b (?…) a leading ^ or * and a trailing $ or * (in full width too, as ops type it).
_PATTERN = re.compile(r"[.．][*+?＊＋？]|[|｜]|\\[dwsbDWSB]|\(\?|^[\^*＊]|[$*＊]$")
_LIST = re.compile(r"[，、；,;]")  # a Chinese input method's comma inside [途乐，退款] makes one term


def _term_is_a_word(value: str) -> str:
    from monitor.enrich.text import fold_term

    if not fold_term(value):
        raise ValueError(f"{value!r} is empty once invisible characters are removed")
    if _PATTERN.search(value):
        raise ValueError(
            f"term {value!r} looks like a pattern (regular expression or wildcard), but terms are "
            "matched as written, character for character, so it would only match that exact text; "
            "write each word as a term of its own (退款, 退货), or an expression for 'this and that'"
        )
    if _LIST.search(value):
        words = ", ".join(word.strip() for word in _LIST.split(value) if word.strip())
        raise ValueError(
            f"term {value!r} is several terms typed as one (a comma or 、 inside it), so it would only "
            f"match that exact text; separate them with a half-width comma, [{words}] (on the command "
            "line: one --include each)"
        )
    return value


def _terms_are_a_list(value: object) -> object:
    if isinstance(value, str):  # `include: 途乐` or `include: 途乐, 退款`
        raise ValueError(f"must be a list of terms in brackets, [{value}], or one '- term' line each")
    return value


Keyword = Annotated[str, BeforeValidator(_term_is_text), AfterValidator(_term_is_a_word)]
Keywords = Annotated[list[Keyword], BeforeValidator(_terms_are_a_list), Field(max_length=10_000)]


def can_overlap(a: str, b: str) -> bool:
    """Whether occurrences of ``a`` and ``b`` can overlap in some text."""
    if a in b or b in a:
        return True
    shorter = min(len(a), len(b))
    return any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, shorter))
