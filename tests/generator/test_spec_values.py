"""The app's value rules, as the generator checks defaults, examples and test samples."""

from __future__ import annotations

from generator.spec.models import FieldSpec
from generator.spec.values import value_adapter, value_problem


def test_fields_with_the_same_rules_share_one_validator() -> None:
    """Building a validator costs ~0.5 ms, and a 100 x 50 spec asks for 9,300 of them: the
    plan of such a spec took 3 s before they were shared."""
    rules = {"field_type": "TEXT_SHORT", "validation": {"max_length": 20, "pattern": "^[a-z]+$"}}
    first = FieldSpec.model_validate({"display_name": "A", **rules})
    second = FieldSpec.model_validate({"display_name": "B", "is_required": True, **rules})
    other = FieldSpec.model_validate({"display_name": "C", "field_type": "TEXT_SHORT"})
    assert value_adapter(first) is value_adapter(second)
    assert value_adapter(first) is not value_adapter(other)
    assert value_problem(first, "abc") is None
    assert value_problem(first, "ABC") is not None and value_problem(other, "ABC") is None
