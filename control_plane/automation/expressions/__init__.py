"""The expression language of workflows (docs/automation.md, "Expressions"): evaluated
without Python's `eval`, with bounded time, depth and output size.

The seed's forms must work: `{{input_data.client_email}}` in any string of a node's
config, `validation_result == true`, `input_data.client_exists == true &&
input_data.is_vip == true`, `{{now() + 7 days}}`.

INTERFACE (the contract; the `expressions` helper implements it):

    class ExpressionError(ValueError)
        message names what is wrong (position, unknown name...); the API turns it into
        AUTO_007 with details {<field path>: message}.

    def check(expression: str) -> None
        Parse only (saving a node or edge): raise ExpressionError if it cannot parse.

    def evaluate(expression: str, scope: Mapping[str, Any]) -> Any
        The value of one expression (no `{{ }}`) over `scope`, a JSON-like mapping
        (dicts, lists, str, int, float, bool, None). Results are JSON values; dates and
        times come back as ISO 8601 strings in UTC.

    def truthy(expression: str, scope: Mapping[str, Any]) -> bool
        A condition: evaluate, and require a boolean (else ExpressionError).

    def render(value: Any, scope: Mapping[str, Any]) -> Any
        A node config (any JSON value) with its templates resolved: a string that is
        exactly one `{{ expr }}` becomes the expression's value (typed: a number stays a
        number); templates inside longer text are formatted into it; dicts and lists are
        rendered member by member; other values are returned as they are.

    def templates_of(value: Any) -> list[str]
        The expressions of every `{{ }}` inside `value` (for validation: check each).
"""
