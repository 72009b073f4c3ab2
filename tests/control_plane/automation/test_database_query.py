"""The `database_query` executor against a real PostgreSQL through a `database`
integration: values bound (never spliced), read-only unless the node says otherwise,
one statement, a statement timeout, rows and output capped."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from control_plane.automation.engine.nodes import EXECUTORS, NodeFailed
from control_plane.automation.node_types import NodeType
from tests.conftest import fresh_database
from tests.control_plane.automation.conftest import Automation, Place, new_integration, run_node
from tests.control_plane.conftest import Api
from tests.control_plane.studio.conftest import Team

QUERY = NodeType.DATABASE_QUERY


@pytest.fixture(scope="module")
def shop(pg_server: str) -> Iterator[str]:
    """A database of the organisation's own: a table of 50 items."""
    url = fresh_database(pg_server)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric)")
        connection.execute(
            "INSERT INTO items SELECT n, 'item ' || n, n * 1.5 FROM generate_series(1, 50) AS n"
        )
    yield url


@pytest.fixture(scope="module")
def database(api: Api, team: Team, shop: str, automation: Automation) -> str:
    created = new_integration(
        automation,
        team,
        name="Shop DB",
        type="database",
        provider="postgresql",
        configuration={"dsn": shop},
    )
    return str(created["id"])


def count(shop: str) -> int:
    with psycopg.connect(shop) as connection:
        row = connection.execute("SELECT count(*) FROM items").fetchone()
    assert row is not None
    return int(row[0])


def test_named_and_numbered_parameters(api: Api, place: Place, database: str) -> None:
    named = run_node(
        api,
        place,
        QUERY,
        {
            "integration": database,
            "query": "SELECT id, name, price FROM items WHERE price > %(min)s ORDER BY id LIMIT 2",
            "params": {"min": "{{input_data.min}}"},
        },
        input_data={"min": 70},
    )
    assert named["rows"] == [
        {"id": 47, "name": "item 47", "price": "70.5"},
        {"id": 48, "name": "item 48", "price": "72.0"},
    ]
    assert named["columns"] == ["id", "name", "price"] and named["truncated"] is False
    numbered = run_node(
        api,
        place,
        QUERY,
        {
            "integration": database,
            "query": "SELECT name FROM items WHERE id = $1",
            "params": ["{{input_data.id}}"],
        },
        input_data={"id": 3},
    )
    assert numbered["rows"] == [{"name": "item 3"}]


def test_values_are_bound_never_spliced(api: Api, place: Place, database: str, shop: str) -> None:
    hostile = "1; DROP TABLE items; --"
    output = run_node(
        api,
        place,
        QUERY,
        {
            "integration": database,
            "query": "SELECT %(v)s::text AS v",
            "params": {"v": "{{input_data.v}}"},
        },
        input_data={"v": hostile},
    )
    assert output["rows"] == [{"v": hostile}]
    assert count(shop) == 50


def test_read_only_unless_the_node_says_so(
    api: Api, place: Place, database: str, shop: str
) -> None:
    with pytest.raises(NodeFailed, match="read-only") as refused:
        run_node(api, place, QUERY, {"integration": database, "query": "DELETE FROM items"})
    assert refused.value.code == "25006"
    with pytest.raises(NodeFailed):  # one statement: no COMMIT to leave the read-only transaction
        run_node(api, place, QUERY, {"integration": database, "query": "COMMIT; DELETE FROM items"})
    assert count(shop) == 50
    writing = {
        "integration": database,
        "query": "INSERT INTO items VALUES (%(id)s, 'new', 1) RETURNING id",
        "params": {"id": 51},
        "read_only": False,
    }
    assert EXECUTORS[QUERY].has_side_effects(writing)
    assert (
        run_node(api, place, QUERY, writing, dry_run=True)["dry_run"]["would"]
        == "run a statement that writes"
    )
    assert count(shop) == 50
    assert run_node(api, place, QUERY, writing)["rows"] == [{"id": 51}]
    deleted = run_node(
        api, place, QUERY, {**writing, "query": "DELETE FROM items WHERE id = 51", "params": {}}
    )
    assert deleted["row_count"] == 1 and count(shop) == 50


def test_rows_capped_and_statements_timed_out(api: Api, place: Place, database: str) -> None:
    some = run_node(
        api, place, QUERY, {"integration": database, "query": "SELECT * FROM items", "max_rows": 10}
    )
    assert (some["row_count"], some["truncated"]) == (10, True)
    many = run_node(
        api,
        place,
        QUERY,
        {"integration": database, "query": "SELECT generate_series(1, 5000) AS n"},
    )
    assert (many["row_count"], many["truncated"]) == (1000, True)
    wide = run_node(
        api,
        place,
        QUERY,
        {
            "integration": database,
            "query": "SELECT repeat('x', 100000) AS x FROM generate_series(1, 20)",
        },
    )
    assert wide["truncated"] is True and wide["row_count"] == 10
    with pytest.raises(NodeFailed, match="statement timeout") as slow:
        run_node(
            api,
            place,
            QUERY,
            {"integration": database, "query": "SELECT pg_sleep(5)", "timeout": 0.5},
        )
    assert slow.value.code == "57014"


def test_a_project_without_a_local_app(api: Api, place: Place) -> None:
    with pytest.raises(NodeFailed) as failed:
        run_node(api, place, QUERY, {"query": "SELECT 1"})
    assert failed.value.code == "APP_NOT_DEPLOYED"


def test_check() -> None:
    check = EXECUTORS[QUERY].check
    assert check({"query": "SELECT 1", "params": [1]}) == []
    fields = [
        i.field for i in check({"params": "x", "read_only": "no", "max_rows": 5000, "timeout": 0})
    ]
    assert fields == [
        "config.params",
        "config.read_only",
        "config.timeout",
        "config.max_rows",
    ]
