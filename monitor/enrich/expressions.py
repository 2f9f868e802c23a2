"""Boolean watch expressions: ``途乐 AND (退款 OR 投诉) AND NOT 招聘``.

Grammar (NOT binds tighter than AND, AND tighter than OR)::

    expression := or
    or         := and ( ("OR" | "|" | "||") and )*
    and        := not ( ("AND" | "&" | "&&") not )*
    not        := ("NOT" | "!") not | atom
    atom       := "(" or ")" | phrase | word

- Keywords AND, OR, NOT are matched in any case (``and`` is AND); quote a term to search for the
  word itself: ``"and"``.
- The Chinese input method's full-width forms work too: （ ） ＆ ｜ ！.
- A *word* is a run of characters other than white space, parentheses, quotes and ``& | !``.
  A *phrase* is quoted with ``"…"``, ``'…'``, ``“…”``, ``‘…’``, ``「…」`` or ``『…』`` and may hold
  spaces and operator characters (``"AT&T"``, ``"星耀 Pro14"``).
- Two terms side by side without an operator are an error (is ``星耀 Pro14`` one phrase or
  ``星耀 AND Pro14``?), so nothing is guessed.

Terms are folded like the text they are matched against (see :mod:`monitor.enrich.text`), so
``途樂`` in an expression matches 途乐 in a post. Errors name the 1-based column:
``unexpected ')' at column 14``.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass

from monitor.enrich.text import fold_term

_OPEN = {"(": "(", "（": "("}
_CLOSE = {")": ")", "）": ")"}
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
_SYMBOLS = {"&": "AND", "＆": "AND", "|": "OR", "｜": "OR", "!": "NOT", "！": "NOT"}
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT"}
_BREAKS = set(_OPEN) | set(_CLOSE) | set(_QUOTES) | set(_SYMBOLS)


class ExpressionError(ValueError):
    """A malformed expression; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        self.reason = message
        super().__init__(f"{message} at column {column}")


@dataclass(frozen=True)
class Term:
    text: str  # as written
    key: str  # folded, as searched for


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # TERM, AND, OR, NOT, (, ), END
    text: str
    column: int


def _tokens(source: str) -> Iterator[_Token]:
    position = 0
    length = len(source)
    while position < length:
        char = source[position]
        column = position + 1
        if char.isspace():
            position += 1
        elif char in _OPEN:
            yield _Token("(", char, column)
            position += 1
        elif char in _CLOSE:
            yield _Token(")", char, column)
            position += 1
        elif char in _SYMBOLS:
            kind = _SYMBOLS[char]
            position += 1
            if kind != "NOT" and position < length and _SYMBOLS.get(source[position]) == kind:
                position += 1  # && and ||
            yield _Token(kind, char, column)
        elif char in _QUOTES:
            closing = source.find(_QUOTES[char], position + 1)
            if closing < 0:
                raise ExpressionError(f"unclosed quote {char}", column)
            phrase = source[position + 1 : closing]
            if not fold_term(phrase):
                raise ExpressionError("empty phrase", column)
            yield _Token("TERM", phrase, column)
            position = closing + 1
        else:
            end = position
            while end < length and not source[end].isspace() and source[end] not in _BREAKS:
                end += 1
            word = source[position:end]
            keyword = _KEYWORDS.get(word.lower())
            if keyword is not None:
                yield _Token(keyword, word, column)
            elif not fold_term(word):
                raise ExpressionError(f"term {word!r} is empty once folded", column)
            else:
                yield _Token("TERM", word, column)
            position = end
    yield _Token("END", "", length + 1)


class _Parser:
    def __init__(self, source: str) -> None:
        self._tokens = list(_tokens(source))
        self._at = 0

    def _peek(self) -> _Token:
        return self._tokens[self._at]

    def _take(self) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token

    def parse(self) -> Node:
        if self._peek().kind == "END":
            raise ExpressionError("empty expression", 1)
        node = self._or()
        token = self._peek()
        if token.kind == ")":
            raise ExpressionError("unexpected ')'", token.column)
        if token.kind == "TERM":
            raise self._missing_operator(token)
        if token.kind != "END":  # pragma: no cover - every other token is consumed above
            raise ExpressionError(f"unexpected {token.text!r}", token.column)
        return node

    def _missing_operator(self, token: _Token) -> ExpressionError:
        previous = self._tokens[self._at - 1]
        return ExpressionError(
            f"missing AND or OR before {token.text!r} (to search for a phrase with a space, quote it: "
            f'"{previous.text} {token.text}")',
            token.column,
        )

    def _or(self) -> Node:
        children = [self._and()]
        while self._peek().kind == "OR":
            self._take()
            children.append(self._and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self) -> Node:
        children = [self._not()]
        while self._peek().kind == "AND":
            self._take()
            children.append(self._not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _not(self) -> Node:
        if self._peek().kind == "NOT":
            self._take()
            return Not(self._not())
        return self._atom()

    def _atom(self) -> Node:
        token = self._take()
        if token.kind == "TERM":
            return Term(token.text, fold_term(token.text))
        if token.kind == "(":
            node = self._or()
            closing = self._peek()
            if closing.kind == "END":
                raise ExpressionError("unclosed '('", token.column)
            if closing.kind == "TERM":
                raise self._missing_operator(closing)
            self._take()
            return node
        previous = self._tokens[self._at - 2] if self._at >= 2 else None
        after = f" after {previous.text!r}" if previous is not None and previous.kind != "(" else ""
        if token.kind == "END":
            raise ExpressionError(f"expected a term{after}, got the end", token.column)
        if token.kind == ")":
            raise ExpressionError("unexpected ')'", token.column)
        raise ExpressionError(f"expected a term{after}, got {token.text!r}", token.column)


def parse(expression: str) -> Node:
    """Parse an expression; raise :class:`ExpressionError` naming the column of the problem."""
    return _Parser(expression).parse()


def terms(node: Node) -> list[Term]:
    """Every term of the expression, in order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms(node.child)
    return [term for child in node.children for term in terms(child)]


def evaluate(node: Node, present: Container[str]) -> bool:
    """Whether the expression holds when the folded terms in ``present`` occur in the text."""
    if isinstance(node, Term):
        return node.key in present
    if isinstance(node, Not):
        return not evaluate(node.child, present)
    if isinstance(node, And):
        return all(evaluate(child, present) for child in node.children)
    return any(evaluate(child, present) for child in node.children)


def reasons(node: Node, present: Container[str]) -> list[str]:
    """Why a true expression holds: the terms found, and ``NOT x`` for each absent term that counts."""
    if isinstance(node, Term):
        return [node.text] if node.key in present else []
    if isinstance(node, Not):
        return [f"NOT {render(node.child)}"] if not evaluate(node.child, present) else []
    found: list[str] = []
    for child in node.children:
        if evaluate(child, present):
            found.extend(reason for reason in reasons(child, present) if reason not in found)
    return found


def render(node: Node) -> str:
    """The expression written out again, with the parentheses its precedence implies."""
    if isinstance(node, Term):
        plain = all(not c.isspace() and c not in _BREAKS for c in node.text)
        if plain and node.text.lower() not in _KEYWORDS:
            return node.text
        return f'"{node.text}"' if '"' not in node.text else f"「{node.text}」"
    if isinstance(node, Not):
        inner = render(node.child)
        return f"NOT {inner}" if isinstance(node.child, Term | Not) else f"NOT ({inner})"
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [
        f"({render(child)})" if isinstance(node, And) and isinstance(child, Or) else render(child)
        for child in node.children
    ]
    return joiner.join(parts)
