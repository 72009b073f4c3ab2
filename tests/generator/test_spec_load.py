"""Reading spec files: what YAML and JSON parsers let through (a repeated key silently
replacing the first) is refused, and every problem says where it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.spec.load import parse_document
from tests.test_cli import nocode

TWO_NOTES_TABLES = """\
spec_version: 1
project: {id: 550e8400-e29b-41d4-a716-446655440000, name: P, slug: p}
tables:
  notes:
    display_name: Notes
    fields:
      titre: {display_name: Titre, field_type: TEXT_SHORT}
  notes:
    display_name: Other notes
    fields:
      corps: {display_name: Corps, field_type: TEXT_LONG}
"""


def problems(text: str, suffix: str) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse_document(text, suffix)
    return [str(issue) for issue in raised.value.issues]


def test_a_table_defined_twice_stops_generate_naming_its_path_and_lines(tmp_path: Path) -> None:
    spec = tmp_path / "twice.yaml"
    spec.write_text(TWO_NOTES_TABLES)
    result = nocode("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: tables.notes: given twice, at line 4, column 3 and again at line 8, column 3: "
        "a key may appear only once in a mapping, or the second would silently replace the first"
    ]
    assert not (tmp_path / "out").exists()


def test_a_table_defined_twice_in_json_is_refused_too(tmp_path: Path) -> None:
    notes = {"display_name": "Notes", "fields": {}}
    text = (
        '{"spec_version": 1,\n'
        ' "tables": {\n'
        f'  "notes": {json.dumps(notes)},\n'
        f'\t"notes": {json.dumps(notes)}\n'
        " }\n"
        "}\n"
    )
    spec = tmp_path / "twice.json"
    spec.write_text(text)
    result = nocode("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(
        "error: tables.notes: given twice, at line 3, column 3 and again at line 4, column 2: "
    )


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_repeated_keys_are_found_at_any_depth_and_all_reported(suffix: str) -> None:
    text = (
        "{\n"
        ' "tables": {"notes": {"fields": {\n'
        '   "titre": {},\n'
        '   "titre": {"validation": {"max_length": 3, "max_length": 4}}}}},\n'
        ' "roles": [{"name": "a", "name": "b"}]\n'
        "}\n"
    )
    assert problems(text, suffix) == [
        "roles[0].name: given twice, at line 5, column 13 and again at line 5, column 26: "
        "a key may appear only once in a mapping, or the second would silently replace the first",
        "tables.notes.fields.titre: given twice, at line 3, column 4 and again at line 4, "
        "column 4: a key may appear only once in a mapping, or the second would silently "
        "replace the first",
        "tables.notes.fields.titre.validation.max_length: given twice, at line 4, column 29 "
        "and again at line 4, column 46: a key may appear only once in a mapping, or the "
        "second would silently replace the first",
    ]


def test_yaml_anchors_and_merge_keys_are_not_repeats() -> None:
    text = "base: &base {a: 1, b: 2}\ncopy: *base\nmerged:\n  <<: *base\n  b: 3\n"
    assert parse_document(text, ".yaml") == {
        "base": {"a": 1, "b": 2},
        "copy": {"a": 1, "b": 2},
        "merged": {"a": 1, "b": 3},
    }


def test_syntax_errors_name_their_line_and_column() -> None:
    assert problems("tables:\n  notes: [unclosed\nproject: x\n", ".yaml") == [
        "the spec is not valid YAML: line 3, column 8: did not find expected ',' or ']' "
        "(while parsing a flow sequence started on line 2, column 10)"
    ]
    assert problems('{\n  "tables": {,}\n}', ".json") == [
        "the spec is not valid JSON: line 2, column 14: "
        "Expecting property name enclosed in double quotes"
    ]


@pytest.mark.parametrize(("suffix", "depth"), [(".yaml", 999), (".json", 100_000)])
def test_a_hostile_nesting_is_an_error_not_a_traceback(
    tmp_path: Path, suffix: str, depth: int
) -> None:
    spec = tmp_path / f"deep{suffix}"
    spec.write_text("[" * depth + "]" * depth)
    result = nocode("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: the spec is not valid {suffix[1:].upper()}: "
        "nested too deeply (a spec needs a few levels, not hundreds)"
    )
