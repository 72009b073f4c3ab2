#!/usr/bin/env python3
"""What the exact counts' write-side triggers cost per write, measured in PostgreSQL alone.

    .venv/bin/python bench/count_triggers.py [--writes 5000]

For each variant, a fresh database holds the bench's seeded `produits` (100,000 rows) with
the variant's triggers; one connection (autocommit) then makes single-row UPDATEs of random
ids, then single-row INSERTs. Printed: wall time and the backend's CPU time per write. The
variants: no count trigger; the change counter of schema revision 3 (`nocode_changes`, one
upsert per statement); the count deltas of revision 4 (`nocode_count_deltas`, one row per
changed record). See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness.config import WORK_DIR  # noqa: E402
from bench.harness.pg import start_postgres  # noqa: E402
from generator import ddl  # noqa: E402
from generator.appmodel import build_project  # noqa: E402
from generator.spec.load import load_spec  # noqa: E402
from tests.regeneration.helpers import CHANGE_COUNTERS  # noqa: E402

SPEC = Path(__file__).resolve().parent.parent / "specs" / "gestion_client.yaml"

# Schema revision 3's change counter, as its generator wrote it, on produits.
CHANGE_COUNTER = (
    CHANGE_COUNTERS
    + "CREATE TRIGGER produits__changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON produits\n"
    + "    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_change();"
)

UPDATE = "UPDATE produits SET stock = 7, updated_at = now() WHERE id = %s"
INSERT = "INSERT INTO produits (reference, nom, prix, stock) VALUES ('N-' || %s::text, 'n', 1, 1)"


def variants() -> dict[str, str]:
    produits = next(t for t in build_project(load_spec(SPEC)).tables if t.name == "produits")
    return {
        "no count trigger": "",
        "change counter (revision 3)": CHANGE_COUNTER,
        "count deltas (revision 4)": f"{ddl.COUNT_DELTAS}\n{ddl.count_triggers(produits)}",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=5000, help="writes of each kind")
    args = parser.parse_args(argv)
    pg = start_postgres(WORK_DIR / "pgdata-triggers")
    print("| variant | write | wall (µs/write) | backend CPU (µs/write) |")
    print("| --- | --- | ---: | ---: |")
    for name, extra in variants().items():
        pg.recreate_database("bench_triggers")
        pg.create_produits("bench_triggers")
        pg.seed_produits("bench_triggers")
        with pg.connect("bench_triggers") as connection:
            connection.autocommit = True
            if extra:
                connection.execute(extra)
            connection.execute("VACUUM ANALYZE produits")
            row = connection.execute("SELECT pg_backend_pid()").fetchone()
            assert row is not None
            backend = psutil.Process(row[0])
            for kind, statement, values in (
                ("update", UPDATE, [random.randint(1, 100_000) for _ in range(args.writes)]),
                ("insert", INSERT, list(range(args.writes))),
            ):
                cpu = backend.cpu_times()
                started = time.perf_counter()
                for value in values:
                    connection.execute(statement, (value,))
                wall = time.perf_counter() - started
                after = backend.cpu_times()
                used = after.user + after.system - cpu.user - cpu.system
                print(
                    f"| {name} | {kind} | {wall / args.writes * 1e6:.0f} | "
                    f"{used / args.writes * 1e6:.0f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
