"""Exact list counts while the table changes: a list adds to its cached count the changes
its snapshot sees and the cached one did not (nocode_count_deltas), and recounts when the
cached snapshot is older than the table's watermark (pruning, TRUNCATE)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from generator.generate import generate
from tests.app.test_listing import listing
from tests.conftest import RunningApp, fresh_database, start_app
from tests.regeneration.helpers import serving
from tests.regeneration.versions import write_spec

# Filters and searches checked against a count(*) of the same conditions.
CASES: list[tuple[dict[str, Any], str | None, str]] = [
    ({}, None, "TRUE"),
    ({"stock__gt": 10}, None, "stock > 10"),
    ({"actif": True, "prix__lte": 150}, None, "actif AND prix <= 150"),
    (
        {},
        "alpha",
        "nom ILIKE '%alpha%' OR reference ILIKE '%alpha%' OR description ILIKE '%alpha%'",
    ),
    (
        {"stock__in": [1, 2, 3, 30]},
        "a",
        "stock IN (1, 2, 3, 30) AND (nom ILIKE '%a%' "
        "OR reference ILIKE '%a%' OR description ILIKE '%a%')",
    ),
]


def assert_exact(http: httpx.Client, app: RunningApp, connection: psycopg.Connection) -> None:
    """Every case's listed count is the table's count(*) of its conditions, now."""
    for filters, search, condition in CASES:
        params: dict[str, Any] = {"filters": filters}
        if search:
            params["search"] = search
        (expected,) = connection.execute(
            f"SELECT count(*) FROM produits WHERE {condition}"
        ).fetchone() or (None,)
        assert listing(http, app, **params)["count"] == expected, (filters, search)


def test_counts_stay_exact_through_inserts_updates_deletes_and_truncate(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    with psycopg.connect(catalogue.database_url, autocommit=True) as connection:
        assert_exact(http, catalogue, connection)  # counted, then cached
        assert_exact(http, catalogue, connection)  # from the cache and no delta
        url = f"{catalogue.api}tables/produits/"
        created = http.post(
            url,
            json={"reference": "REF-100", "nom": "Alphonse", "prix": 99.5, "stock": 30},
            headers=catalogue.headers(),
        )
        assert created.status_code == 201, created.text
        assert_exact(http, catalogue, connection)
        # Moving records into and out of a filter, in one statement and in several.
        connection.execute("UPDATE produits SET stock = stock + 10 WHERE stock BETWEEN 1 AND 4")
        connection.execute("UPDATE produits SET actif = NOT actif, nom = 'alpha' WHERE id % 3 = 0")
        assert_exact(http, catalogue, connection)
        connection.execute("DELETE FROM produits WHERE stock > 20")
        assert_exact(http, catalogue, connection)
        with connection.transaction():  # several statements, one transaction
            connection.execute(
                "INSERT INTO produits (reference, nom, prix, stock) "
                "VALUES ('REF-200', 'beta', 10, 2)"
            )
            connection.execute("UPDATE produits SET stock = 3 WHERE reference = 'REF-200'")
            connection.execute("DELETE FROM produits WHERE reference = 'REF-005'")
        assert_exact(http, catalogue, connection)
        connection.execute("TRUNCATE produits CASCADE")
        assert_exact(http, catalogue, connection)
        connection.execute(
            "INSERT INTO produits (reference, nom, prix, stock) VALUES ('REF-300', 'alpha', 10, 2)"
        )
        assert_exact(http, catalogue, connection)


def test_a_write_committed_after_a_later_one_is_counted(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    """A transaction that began writing before a list and commits after it: the list's
    cached snapshot saw it running, so the next list adds its deltas."""
    with (
        psycopg.connect(catalogue.database_url) as late,
        psycopg.connect(catalogue.database_url, autocommit=True) as other,
    ):
        late.execute(
            "INSERT INTO produits (reference, nom, prix, stock) "
            "VALUES ('REF-LATE', 'alpha', 10, 50)"
        )
        late.execute("UPDATE produits SET stock = 60 WHERE id = 1")
        assert_exact(http, catalogue, other)  # the open transaction is not counted
        other.execute(
            "INSERT INTO produits (reference, nom, prix, stock) "
            "VALUES ('REF-EARLY', 'alpha', 10, 40)"
        )
        assert_exact(http, catalogue, other)
        late.commit()
        assert listing(http, catalogue, filters={"stock__gt": 10})["count"] == 18
        assert_exact(http, catalogue, other)
        late.execute("DELETE FROM produits WHERE stock >= 40")
        assert_exact(http, catalogue, other)
        late.rollback()  # rolled back: nothing to add
        assert_exact(http, catalogue, other)


def test_pruning_never_makes_a_count_wrong(http: httpx.Client, catalogue: RunningApp) -> None:
    with psycopg.connect(catalogue.database_url, autocommit=True) as connection:
        assert_exact(http, catalogue, connection)
        for round_ in range(3):
            connection.execute(f"UPDATE produits SET stock = stock + {round_ + 5} WHERE id % 2 = 0")
            # Pruning with nothing kept: deltas the cached snapshots need may go, and
            # the watermark then sends those lists to a full count.
            connection.execute("SELECT nocode_count_prune('0 seconds')")
            assert_exact(http, catalogue, connection)
        (left,) = connection.execute(
            "SELECT count(*) FROM nocode_count_deltas WHERE table_name = 'produits'"
        ).fetchone() or (None,)
        connection.execute("SELECT nocode_count_prune('0 seconds')")
        (after,) = connection.execute(
            "SELECT count(*) FROM nocode_count_deltas WHERE table_name = 'produits'"
        ).fetchone() or (None,)
        assert left is not None and after == 0
        # Pruning that keeps recent deltas leaves cached counts usable, and exact.
        connection.execute("UPDATE produits SET stock = 1 WHERE id = 2")
        connection.execute("SELECT nocode_count_prune('1 hour')")
        assert_exact(http, catalogue, connection)


def test_a_long_transaction_keeps_pruning_from_losing_its_deltas(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    """Pruning goes no further than the oldest snapshot running: a write that commits late
    is still in the log when a list needs it."""
    with (
        psycopg.connect(catalogue.database_url) as late,
        psycopg.connect(catalogue.database_url, autocommit=True) as other,
    ):
        late.execute("UPDATE produits SET stock = 100 WHERE id <= 3")
        assert_exact(http, catalogue, other)
        other.execute("SELECT nocode_count_prune('0 seconds')")
        other.execute("SELECT nocode_count_prune('0 seconds')")
        late.commit()
        assert_exact(http, catalogue, other)


def _deltas(connection: psycopg.Connection) -> int:
    (count,) = connection.execute("SELECT count(*) FROM nocode_count_deltas").fetchone() or (0,)
    return int(count)


def test_every_process_prunes_the_log_on_its_own_timer_without_any_list(
    crm_dir: Path, pg_server: str
) -> None:
    app = start_app(crm_dir, fresh_database(pg_server), COUNT_PRUNE_SECONDS="0.2")
    try:
        with psycopg.connect(app.database_url, autocommit=True) as connection:
            connection.execute(
                "INSERT INTO produits (reference, nom, prix, stock) "
                "SELECT 'P-' || i, 'p', 1, i FROM generate_series(1, 10) AS i"
            )
            # Kept for two periods (0.4 s) at least: still there right after the write.
            assert _deltas(connection) == 10
            deadline = time.monotonic() + 20
            while _deltas(connection) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _deltas(connection) == 0
            (marked,) = connection.execute(
                "SELECT count(*) FROM nocode_count_watermarks WHERE table_name = 'produits'"
            ).fetchone() or (0,)
            assert marked == 1
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)


# Fields named like the delta log's columns: the list's conditions must read the record's.
COLLISIONS_SPEC: dict[str, Any] = {
    "spec_version": 1,
    "project": {
        "id": "7a1c2e3d-4b5f-4a6b-9c8d-0e1f2a3b4c5d",
        "name": "Collisions",
        "slug": "collisions",
    },
    "tables": {
        "journal": {
            "display_name": "Journal",
            "fields": {
                name: {"display_name": name, "field_type": field_type}
                for name, field_type in (
                    ("table_name", "TEXT_SHORT"),
                    ("xid", "INTEGER"),
                    ("sign", "INTEGER"),
                    ("record", "TEXT_SHORT"),
                    ("old_record", "TEXT_SHORT"),
                    ("new_record", "TEXT_SHORT"),
                    ("watermark", "INTEGER"),
                )
            },
        },
    },
}


@pytest.fixture(scope="module")
def collisions(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[RunningApp]:
    folder = tmp_path_factory.mktemp("collisions")
    generate(write_spec(folder, COLLISIONS_SPEC), folder / "collisions")
    with serving(folder / "collisions", fresh_database(pg_server)) as app:
        yield app


def test_fields_named_like_the_log_columns_are_the_records(
    http: httpx.Client, collisions: RunningApp
) -> None:
    url = f"{collisions.api}tables/journal/"

    def count(filters: dict[str, Any], search: str | None = None) -> int:
        params: dict[str, Any] = {"filters": json.dumps(filters)}
        if search:
            params["search"] = search
        response = http.get(url, params=params, headers=collisions.headers())
        assert response.status_code == 200, response.text
        return int(response.json()["count"])

    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"sign": -1}, None),
        ({"xid__gte": 5}, None),
        ({"table_name": "journal"}, None),
        ({"watermark__lt": 3, "new_record__isnull": True}, None),
        ({}, "produit"),
    ]
    before = [count(f, s) for f, s in cases]
    assert before == [0, 0, 0, 0, 0]
    for number in range(10):
        body = {
            "table_name": "journal" if number % 2 else "other",
            "xid": number,
            "sign": -1 if number < 4 else 1,
            "record": "produit" if number % 3 == 0 else "x",
            "old_record": "a",
            "watermark": number,
        }
        response = http.post(url, json=body, headers=collisions.headers())
        assert response.status_code == 201, response.text
    assert [count(f, s) for f, s in cases] == [4, 5, 5, 3, 4]
    with psycopg.connect(collisions.database_url, autocommit=True) as connection:
        connection.execute("UPDATE journal SET sign = -1, xid = 0 WHERE watermark >= 8")
        connection.execute("DELETE FROM journal WHERE table_name = 'journal' AND xid = 1")
    assert [count(f, s) for f, s in cases] == [5, 3, 4, 2, 4]


def test_a_cached_count_is_carried_forward_not_recounted(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    """Writes with the triggers off (replication role) leave no delta: the next list shows
    the cached count plus the logged changes only, until a reset makes it count."""
    assert listing(http, catalogue, filters={"stock__gt": 10})["count"] == 15
    with psycopg.connect(catalogue.database_url, autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute("UPDATE produits SET stock = 0")
        connection.execute("RESET session_replication_role")
        connection.execute(
            "INSERT INTO produits (reference, nom, prix, stock) VALUES ('REF-NEW', 'a', 1, 50)"
        )
        assert listing(http, catalogue, filters={"stock__gt": 10})["count"] == 16
        connection.execute("SELECT nocode_count_reset('produits')")
        assert listing(http, catalogue, filters={"stock__gt": 10})["count"] == 1
