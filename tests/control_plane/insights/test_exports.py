"""GET /api/v1/insights/exports/ against the real server: a report and the activity feed
as CSV, JSON and PDF. The PDFs' pages are rendered to PNG (pdftoppm) and read back: the
chart is there (pixels of the charts' colour where the chart is drawn), and the text
layer (pdftotext) has the title, the organisation and the period."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from control_plane.insights.services.pdf_reports import CHART_COLOUR
from tests.control_plane.conftest import assert_error
from tests.control_plane.insights.conftest import Insights
from tests.control_plane.insights.reporting import (
    ACTIVITIES_DAY,
    MANY_ACTIVITIES,
    STORY_END,
    Story,
)

ACTIVITIES_END = (ACTIVITIES_DAY + timedelta(days=1)).isoformat()
_COLUMNS = [
    "organization_id",
    "project_id",
    "app_id",
    "name",
    "properties",
    "occurred_at",
    "distinct_id",
    "user_id",
]


@pytest.fixture(scope="module")
def poppler() -> None:
    if shutil.which("pdftoppm") is None:
        subprocess.run(["bash", "tests/deploy/install_packages.sh"], check=True)


def _export(insights: Insights, story: Story, role: str = "OWNER", **params: Any) -> httpx.Response:
    """The export over the story's period (its activities' day, for activities)."""
    end = ACTIVITIES_END if params.get("source") == "activities" else STORY_END
    response = insights.get(
        "/exports/",
        story.team.users[role],
        organization=story.organization,
        **{"until": end, **params},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response


def _pages(pdf: bytes, workdir: Path) -> tuple[list[Image.Image], str]:
    """The PDF's pages as images (50 dpi), and its text."""
    path = workdir / "export.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", path, workdir / "page"], check=True)
    text = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True)
    pages = [Image.open(page).convert("RGB") for page in sorted(workdir.glob("page-*.png"))]
    return pages, text.stdout


def _chart_pixels(page: Image.Image) -> int:
    """Pixels of the charts' colour in the page's chart area (below the title lines)."""
    wanted = [int(CHART_COLOUR[i : i + 2], 16) for i in (1, 3, 5)]
    width, height = page.size
    area = page.crop((0, int(height * 0.25), width, height))
    return sum(
        count
        for count, colour in area.getcolors(width * height) or []
        if isinstance(colour, tuple)
        and sum(abs(got - want) for got, want in zip(colour, wanted, strict=True)) < 40
    )


def test_a_report_as_csv_and_json(insights: Insights, story: Story) -> None:
    response = _export(insights, story, format="csv", report="top_events")
    assert response.headers["content-type"].startswith("text/csv")
    assert '.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["event", "events", "users"],
        ["view", "7", "5"],
        ["signup", "5", "5"],
        ["purchase", "2", "2"],
    ]
    as_json = _export(insights, story, format="json", report="funnel", steps="signup,view")
    assert as_json.json() == insights.report(
        story.team.owner,
        story.organization,
        report="funnel",
        steps="signup,view",
        until=STORY_END,
    )
    retention = _export(insights, story, format="csv", report="retention")
    assert next(csv.reader(io.StringIO(retention.text))) == [
        "cohort",
        "users",
        "week",
        "active",
        "share",
    ]


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"report": "top_events"}, "Top events"),
        ({"report": "funnel", "steps": "signup,view,purchase"}, "Funnel"),
        ({"report": "counts"}, "Events and unique users"),
    ],
)
def test_a_report_as_a_pdf_with_its_chart(
    insights: Insights, story: Story, poppler: None, tmp_path: Path, params: dict[str, Any],
    title: str,
) -> None:  # fmt: skip
    response = _export(insights, story, format="pdf", **params)
    assert response.headers["content-type"] == "application/pdf"
    pages, text = _pages(response.content, tmp_path)
    assert title in text and "Organisation story" in text and "Period:" in text
    assert _chart_pixels(pages[0]) > 300  # the bars or lines
    assert len(pages) >= 2 and _chart_pixels(pages[1]) == 0  # the table, no chart


def test_activities_newest_first_filtered_and_a_clients_own(
    insights: Insights, story: Story
) -> None:
    since = ACTIVITIES_DAY.isoformat()
    response = _export(insights, story, format="csv", source="activities", since=since)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == _COLUMNS
    assert [row["name"] for row in rows] == ["version.publish", "auth.login", "project.create"]
    assert json.loads(rows[0]["properties"]) == {"number": 1}
    client = story.team.users["CLIENT"]
    own = _export(insights, story, "CLIENT", format="json", source="activities", since=since)
    assert [(a["name"], a["user_id"]) for a in own.json()] == [("auth.login", client.id)]
    named = _export(
        insights, story, format="json", source="activities", since=since, name="project.create"
    )
    assert [activity["properties"] for activity in named.json()] == [{"name": "Boutique"}]


def test_a_long_activity_range_is_streamed(insights: Insights, story: Story) -> None:
    params = {
        "organization": story.elsewhere,
        "source": "activities",
        "since": ACTIVITIES_DAY.isoformat(),
        "until": ACTIVITIES_END,
    }
    owner = story.elsewhere_owner
    for export_format in ("csv", "json"):
        with insights.http.stream(
            "GET", "/exports/", headers=owner.headers, params={**params, "format": export_format}
        ) as response:
            assert response.status_code == 200
            assert "content-length" not in response.headers  # sent as it is read
            body = b"".join(response.iter_bytes())
        if export_format == "csv":
            assert body.count(b"\r\n") == MANY_ACTIVITIES + 1
        else:
            activities = json.loads(body)
            assert len(activities) == MANY_ACTIVITIES
            assert activities[0]["properties"] == {"n": MANY_ACTIVITIES}  # newest first


def test_activities_as_a_pdf(
    insights: Insights, story: Story, poppler: None, tmp_path: Path
) -> None:
    since = ACTIVITIES_DAY.isoformat()
    response = _export(insights, story, format="pdf", source="activities", since=since)
    pages, text = _pages(response.content, tmp_path)
    assert "Activities" in text and "3 activities" in text and "version.publish" in text
    assert _chart_pixels(pages[0]) > 300


def test_bad_export_parameters_are_named(insights: Insights, story: Story) -> None:
    owner, org = story.team.owner, story.organization

    def refused(**params: Any) -> dict[str, Any]:
        response = insights.get("/exports/", owner, organization=org, **params)
        return assert_error(response, 400, "VALIDATION_ERROR")

    assert "format" in str(refused(format="xls", report="counts"))
    assert "source" in str(refused(source="logs"))
    assert "steps" in refused(format="csv", report="funnel", steps="a")
    assert "since" in refused(source="activities", since="2026-02-01", until="2026-01-01")
    assert "colour" in refused(source="activities", colour="red")
    assert "user" in refused(source="activities", user="nobody")
