"""The JSON Schema of a spec, exported to specs/spec.schema.json for editors and tools.

Regenerate with `python -m generator.spec.schema`; a test fails when the file drifts.
"""

from __future__ import annotations

import json
import sys

from generator.resources import specs_dir
from generator.spec.models import ProjectSpec

SCHEMA_FILE = "spec.schema.json"


def spec_json_schema() -> str:
    schema = ProjectSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "nocode project spec"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    target = specs_dir() / SCHEMA_FILE
    target.write_text(spec_json_schema(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
