"""Fixtures of the Insights tests."""

from tests.control_plane.insights.reporting import insights, story  # noqa: F401
