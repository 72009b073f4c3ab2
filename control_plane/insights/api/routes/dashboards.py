"""Dashboards: saved reports (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/dashboards", tags=["insights dashboards"])
