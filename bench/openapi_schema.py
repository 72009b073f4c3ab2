"""The generated app's OpenAPI document for a 100-table x 50-field spec: start-up time,
then the time and size of /api/schema/ right away and once the document is built.

    .venv/bin/python bench/openapi_schema.py [--tables 100] [--fields 50] [--wait 25]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.generate import build  # noqa: E402
from generator.write import write_tree  # noqa: E402
from platform_support.postgres import embedded_server  # noqa: E402
from tests.conftest import fresh_database, start_app  # noqa: E402
from tests.generator.large_spec import large_spec  # noqa: E402


def _fetch(base_url: str, label: str) -> None:
    started = time.perf_counter()
    response = httpx.get(f"{base_url}/api/schema/", timeout=300)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"{label} /api/schema/: {elapsed:.0f} ms, {len(response.content) / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--fields", type=int, default=50)
    parser.add_argument("--wait", type=float, default=25, help="seconds before the last fetch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app_dir = Path(folder) / "app"
        write_tree(app_dir, build(large_spec(args.tables, args.fields)).files)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with embedded_server(Path(folder) / "pg") as server_url:
                started = time.perf_counter()
                app = start_app(app_dir, fresh_database(server_url))
                elapsed = time.perf_counter() - started
                print(f"start-up (migrate, serve, /health answers): {elapsed:.1f} s")
                try:
                    _fetch(app.base_url, "right after start-up,")
                    _fetch(app.base_url, "again,")
                    time.sleep(args.wait)
                    _fetch(app.base_url, f"{args.wait:.0f} s later,")
                finally:
                    app.process.terminate()
                    app.process.wait(timeout=30)


if __name__ == "__main__":
    main()
