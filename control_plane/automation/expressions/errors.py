"""The one error of the expression language, and its limits (docs/automation.md,
"Expressions")."""

from __future__ import annotations

MAX_EXPRESSION_LENGTH = 2_000  # characters of one expression
MAX_DEPTH = 50  # nesting of operators, calls, indexes in the parsed tree
MAX_STRING_LENGTH = 100_000  # characters of a string an expression or a template produces
MAX_LIST_LENGTH = 10_000  # members of a list or map an expression produces
MAX_INTEGER = 2**63 - 1  # an integer's magnitude (CEL's int64, safe in every JSON reader)


class ExpressionError(ValueError):
    """An expression that cannot parse or cannot be evaluated over its scope; the message
    says what and where. The API answers AUTO_007 with it."""
