"""Spec values turned into Python source: what the template reads back is the value."""

from __future__ import annotations

import ast

from generator.literals import py
from generator.spec.models import Action, Role


def test_a_str_enum_member_is_written_as_its_value() -> None:
    # The app model carries closed sets as StrEnums; their repr is not Python source.
    assert py(Role.CLIENT) == '"CLIENT"'
    assert py({Role.ADMIN: [Action.READ, Action.CREATE]}) == '{"ADMIN": ["read", "create"]}'
    assert ast.literal_eval(py([Action.DELETE])) == ["delete"]
