"""The database cost of record events on single-record writes: the statements the
generated CRM's API runs to create and to patch a `produits` record, prepared, on one
connection, in alternating blocks with the event triggers enabled and disabled, so that
both sides see the same machine load.

    .venv/bin/python -m bench.record_events [--rounds 10] [--block 500]

Prints the median microseconds per statement of each side, and the difference.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness.pg import start_postgres

MIGRATION = (
    Path(__file__).resolve().parents[1]
    / "tests/golden/gestion_client/expected/migrations/0001_initial.sql"
)
DATABASE = "bench_record_events"
CREATE = (
    "WITH inserted AS (INSERT INTO produits (reference, nom, prix, stock, actif) "
    "VALUES (%s, 'Produit bench', 12.5, 3, true) RETURNING *) "
    "SELECT inserted.id, row_to_json(inserted)::text FROM inserted"
)
PATCH = "UPDATE produits SET stock = 7, updated_at = now() WHERE id = %s RETURNING id"
TRIGGERS = ("produits__events_created", "produits__events_updated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=500)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-events-") as folder:
        server = start_postgres(Path(folder) / "data")
        server.recreate_database(DATABASE)
        with server.connect(DATABASE) as connection:
            connection.execute(MIGRATION.read_text(encoding="utf-8"))
            timings: dict[str, dict[str, list[float]]] = {
                side: {"create": [], "patch": []} for side in ("with events", "without")
            }
            for number in range(arguments.rounds * 2):
                side = "with events" if number % 2 == 0 else "without"
                switch = "ENABLE" if side == "with events" else "DISABLE"
                for trigger in TRIGGERS:
                    connection.execute(f"ALTER TABLE produits {switch} TRIGGER {trigger}")
                ids: list[int] = []
                started = time.perf_counter()
                for n in range(arguments.block):
                    created = connection.execute(CREATE, (f"r{number}-{n}",), prepare=True)
                    ids.append(int(created.fetchall()[0][0]))
                timings[side]["create"].append(time.perf_counter() - started)
                started = time.perf_counter()
                for record_id in ids:
                    connection.execute(PATCH, (record_id,), prepare=True)
                timings[side]["patch"].append(time.perf_counter() - started)
    for kind in ("create", "patch"):
        with_events, without = (
            [seconds / arguments.block * 1e6 for seconds in timings[side][kind]]
            for side in ("with events", "without")
        )
        # Each round's two blocks ran back to back: their difference is the least disturbed.
        added = statistics.median(a - b for a, b in zip(with_events, without, strict=True))
        print(
            f"{kind}: {statistics.median(with_events):.0f} µs with events, "
            f"{statistics.median(without):.0f} µs without (medians per statement); "
            f"round by round, events add {added:+.0f} µs"
        )


if __name__ == "__main__":
    main()
