"""System metrics (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/system-metrics", tags=["insights system-metrics"])
