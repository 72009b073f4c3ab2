"""String literals: quoted with " or ', escapes as in JSON (\\n \\t \\r \\\\ \\" \\' \\uXXXX)."""

from __future__ import annotations

from control_plane.automation.expressions.errors import ExpressionError

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "/": "/"}


def unquote(literal: str) -> str:
    body = literal[1:-1]
    if "\\" not in body:
        return body
    text: list[str] = []
    position = 0
    while position < len(body):
        character = body[position]
        if character != "\\":
            text.append(character)
            position += 1
            continue
        escaped = body[position + 1]
        if escaped == "u":
            digits = body[position + 2 : position + 6]
            if len(digits) != 4 or not all(digit in "0123456789abcdefABCDEF" for digit in digits):
                raise ExpressionError(f"bad escape \\u{digits} in a string")
            text.append(chr(int(digits, 16)))
            position += 6
        elif escaped in _ESCAPES:
            text.append(_ESCAPES[escaped])
            position += 2
        else:
            raise ExpressionError(f"unknown escape \\{escaped} in a string")
    return "".join(text)
