"""The syntax: a lark LALR grammar (no recursion in the parser itself), limits checked
before and after parsing so that no text reaches the compiler deeper than MAX_DEPTH."""

from __future__ import annotations

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from control_plane.automation.expressions.errors import (
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    ExpressionError,
)

# Precedence from loosest to tightest: ?: || && comparisons + - * / % unary postfix.
# Names, numbers and whitespace are ASCII only: a homoglyph or a fullwidth digit is an
# unexpected character, never a keyword or a number.
GRAMMAR = r"""
?start: expr
?expr: or_expr
     | or_expr "?" expr ":" expr -> ternary
?or_expr: and_expr ("||" and_expr)*
?and_expr: comparison ("&&" comparison)*
?comparison: sum
           | sum COMPARATOR sum
           | sum IN sum -> member_of
?sum: product (ADD_OP product)*
?product: unary (MUL_OP unary)*
?unary: postfix
      | "!" unary -> not_
      | "-" unary -> negative
?postfix: atom
        | postfix "." NAME -> field
        | postfix "[" expr "]" -> index
?atom: INT -> integer
     | FLOAT -> real
     | STRING -> string
     | "true" -> true
     | "false" -> false
     | "null" -> null
     | INT NAME -> duration
     | FLOAT NAME -> duration
     | NAME -> name
     | NAME "(" [expr ("," expr)*] ")" -> call
     | "[" [expr ("," expr)*] "]" -> list
     | "{" [pair ("," pair)*] "}" -> map
     | "(" expr ")"
pair: expr ":" expr

COMPARATOR: "==" | "!=" | "<=" | ">=" | "<" | ">"
IN: "in"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/" | "%"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
INT: /[0-9]+/
FLOAT: /[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?/
STRING: /"(?:[^"\\\n]|\\.)*"/ | /'(?:[^'\\\n]|\\.)*'/
%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


def parse(expression: str) -> Tree[Token]:
    if not isinstance(expression, str):
        raise ExpressionError("an expression is a string")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    if not expression.strip():
        raise ExpressionError("empty expression")
    if expression.lstrip().startswith("{{"):
        raise ExpressionError("write the expression without {{ }} (those are for templates)")
    try:
        tree = _PARSER.parse(expression)
    except UnexpectedInput as error:
        raise ExpressionError(_describe(error, expression)) from None
    _check_depth(tree)
    return tree


def _describe(error: UnexpectedInput, expression: str) -> str:
    column = getattr(error, "column", None)
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return "unexpected end of expression"
    if isinstance(error, UnexpectedCharacters):
        character = expression[error.pos_in_stream or 0]
        return f"unexpected character {character!r} (U+{ord(character):04X}) at column {column}"
    if isinstance(error, UnexpectedToken):
        return f"unexpected {str(error.token)[:40]!r} at column {column}"
    return f"cannot parse at column {column}"


def _check_depth(tree: Tree[Token]) -> None:
    """Depth without recursion: the compiler recurses, so it only ever sees shallow trees."""
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)
