from generator.resources import specs_dir
from generator.spec.schema import SCHEMA_FILE, spec_json_schema


def test_the_exported_json_schema_matches_the_models() -> None:
    exported = (specs_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    assert exported == spec_json_schema(), "run `python -m generator.spec.schema`"
