"""Lists of the generated app: pagination, search, sort, JSON filters, count modes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.app.test_errors import assert_error
from tests.conftest import RunningApp

NAMES = ["Alpha 50%", "beta_1", "Gamma", "delta", "ALPHABET", "epsilon"]


@pytest.fixture
def catalogue(http: httpx.Client, empty_crm: RunningApp) -> RunningApp:
    for number in range(1, 26):
        body = {
            "reference": f"REF-{number:03d}",
            "nom": NAMES[number % len(NAMES)],
            "prix": number * 10 + 0.5,
            "stock": number,
            "actif": number % 2 == 0,
        }
        if number % 5 == 0:
            body["description"] = "Promo"
        assert (
            http.post(
                f"{empty_crm.api}tables/produits/", json=body, headers=empty_crm.headers()
            ).status_code
            == 201
        )
    return empty_crm


def listing(http: httpx.Client, app: RunningApp, **params: Any) -> dict[str, Any]:
    if "filters" in params and not isinstance(params["filters"], str):
        params["filters"] = json.dumps(params["filters"])
    response = http.get(f"{app.api}tables/produits/", params=params, headers=app.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refs(body: dict[str, Any]) -> list[str]:
    return [record["reference"] for record in body["results"]]


def test_default_page_is_20_newest_first(http: httpx.Client, catalogue: RunningApp) -> None:
    body = listing(http, catalogue)
    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert refs(body)[0] == "REF-025"
    assert body["previous"] is None
    assert body["filters_applied"] == {
        "search": None,
        "sort_by": "created_at",
        "sort_order": "desc",
        "filters": {},
    }
    info = body["table_info"]
    assert info["table_name"] == "produits" and info["display_name"] == "Produits"
    assert info["permissions"] == {
        "can_create": True,
        "can_read": True,
        "can_update": True,
        "can_delete": True,
    }


def test_next_and_previous_are_absolute_and_work(http: httpx.Client, catalogue: RunningApp) -> None:
    seen: list[str] = []
    url: str | None = f"{catalogue.api}tables/produits/?page_size=10&sort_by=stock&sort_order=asc"
    pages = 0
    while url:
        assert url.startswith("http://127.0.0.1:")
        body = http.get(url, headers=catalogue.headers()).json()
        seen += refs(body)
        url = body["next"]
        pages += 1
    assert pages == 3
    assert seen == [f"REF-{n:03d}" for n in range(1, 26)]
    previous = http.get(body["previous"], headers=catalogue.headers()).json()
    assert refs(previous) == [f"REF-{n:03d}" for n in range(11, 21)]


def test_page_size_is_limited_to_100(http: httpx.Client, catalogue: RunningApp) -> None:
    assert len(listing(http, catalogue, page_size=100)["results"]) == 25
    for params in ({"page_size": 101}, {"page_size": 0}, {"page": 0}, {"page": "x"}):
        response = http.get(
            f"{catalogue.api}tables/produits/", params=params, headers=catalogue.headers()
        )
        assert_error(response, 400, "RUNTIME_003", next(iter(params)))


def test_a_page_past_the_end_is_empty(http: httpx.Client, catalogue: RunningApp) -> None:
    body = listing(http, catalogue, page=9)
    assert body["results"] == [] and body["count"] == 25 and body["next"] is None


def test_search_is_a_case_insensitive_substring_with_literal_wildcards(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    assert {r["nom"] for r in listing(http, catalogue, search="alpha")["results"]} == {
        "Alpha 50%",
        "ALPHABET",
    }
    assert {r["nom"] for r in listing(http, catalogue, search="50%")["results"]} == {"Alpha 50%"}
    assert {r["nom"] for r in listing(http, catalogue, search="a_1")["results"]} == {"beta_1"}
    assert listing(http, catalogue, search="%")["count"] == 4  # only "Alpha 50%" rows
    assert listing(http, catalogue, search="promo")["count"] == 5  # description is text too
    assert listing(http, catalogue, search="zzz")["count"] == 0


def test_sort_by_any_sortable_field(http: httpx.Client, catalogue: RunningApp) -> None:
    assert refs(listing(http, catalogue, sort_by="prix", sort_order="desc", page_size=3)) == [
        "REF-025",
        "REF-024",
        "REF-023",
    ]
    assert refs(listing(http, catalogue, sort_by="prix", sort_order="asc", page_size=2)) == [
        "REF-001",
        "REF-002",
    ]
    for params in (
        {"sort_by": "nope"},
        {"sort_by": "prix; DROP TABLE produits"},
        {"sort_order": "sideways"},
    ):
        response = http.get(
            f"{catalogue.api}tables/produits/", params=params, headers=catalogue.headers()
        )
        assert_error(response, 400, "RUNTIME_003", next(iter(params)))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stock": 3}, 1),
        ({"stock__gt": 20}, 5),
        ({"stock__gte": 20}, 6),
        ({"stock__lt": 3}, 2),
        ({"stock__lte": 3}, 3),
        ({"stock__ne": 3}, 24),
        ({"stock__in": [1, 2, 99]}, 2),
        ({"prix__gte": "100"}, 16),
        ({"prix__gte": 100, "actif": True}, 8),
        ({"nom__contains": "lpha"}, 4),
        ({"nom__icontains": "ALPHA"}, 8),
        ({"nom__startswith": "ALPHA"}, 4),
        ({"description__isnull": True}, 20),
        ({"description__isnull": False}, 5),
        ({"reference": "REF-007"}, 1),
        ({"created_at__gte": "2000-01-01"}, 25),
        ({"created_at__lt": "2000-01-01T00:00:00Z"}, 0),
        ({"id__in": [1, 2, 3]}, 3),
    ],
)
def test_filters(
    http: httpx.Client, catalogue: RunningApp, filters: dict[str, Any], expected: int
) -> None:
    body = listing(http, catalogue, filters=filters)
    assert body["count"] == expected
    assert body["filters_applied"]["filters"] == filters


def test_filters_combine_with_search_by_and(http: httpx.Client, catalogue: RunningApp) -> None:
    body = listing(http, catalogue, search="alpha", filters={"stock__gt": 10})
    assert sorted(record["stock"] for record in body["results"]) == [12, 16, 18, 22, 24]


@pytest.mark.parametrize(
    "filters",
    [
        "{not json",
        "[1, 2]",
        '{"nope": 1}',
        '{"stock__between": 1}',
        '{"stock": "abc"}',
        '{"stock__in": []}',
        '{"stock__contains": "1"}',
        '{"description__isnull": "yes"}',
        '{"actif__gt": true}',
        '{"prix__gte": "NaN"}',
        '{"created_at__gte": "yesterday"}',
        '{"nom\\"; DROP TABLE produits; --": 1}',
    ],
)
def test_bad_filters_are_runtime_003(
    http: httpx.Client, catalogue: RunningApp, filters: str
) -> None:
    response = http.get(
        f"{catalogue.api}tables/produits/", params={"filters": filters}, headers=catalogue.headers()
    )
    assert_error(response, 400, "RUNTIME_003")
    assert listing(http, catalogue)["count"] == 25


def test_counts_follow_every_change_even_outside_the_api(
    http: httpx.Client, catalogue: RunningApp
) -> None:
    """Counts are reused while a table is unchanged; any write, by the API or by plain
    SQL, makes the next list count again."""
    import psycopg

    over_20 = {"stock__gt": 20}
    assert listing(http, catalogue, filters=over_20)["count"] == 5
    assert listing(http, catalogue, filters=over_20)["count"] == 5  # from the cache
    url = f"{catalogue.api}tables/produits/1/"
    assert http.patch(url, json={"stock": 30}, headers=catalogue.headers()).status_code == 200
    assert listing(http, catalogue, filters=over_20)["count"] == 6
    with psycopg.connect(catalogue.database_url, autocommit=True) as connection:
        connection.execute("UPDATE produits SET stock = 0 WHERE stock > 20")
        assert listing(http, catalogue, filters=over_20)["count"] == 0
        connection.execute("DELETE FROM produits WHERE id <= 5")
        assert listing(http, catalogue)["count"] == 20
        connection.execute("TRUNCATE produits CASCADE")
        assert listing(http, catalogue)["count"] == 0


def test_blank_filters_mean_no_filter(http: httpx.Client, catalogue: RunningApp) -> None:
    body = listing(http, catalogue, filters="  ")
    assert body["count"] == 25 and body["filters_applied"]["filters"] == {}


def test_count_modes(http: httpx.Client, catalogue: RunningApp) -> None:
    none = listing(http, catalogue, count="none", page_size=10)
    assert none["count"] is None and none["next"] is not None and len(none["results"]) == 10
    last = listing(http, catalogue, count="none", page_size=10, page=3)
    assert last["next"] is None and len(last["results"]) == 5
    planned = listing(http, catalogue, count="planned")
    assert isinstance(planned["count"], int) and planned["count"] >= 0
    response = http.get(
        f"{catalogue.api}tables/produits/",
        params={"count": "sometimes"},
        headers=catalogue.headers(),
    )
    assert_error(response, 400, "RUNTIME_003", "count")
