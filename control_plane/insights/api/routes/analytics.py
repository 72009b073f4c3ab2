"""Analytics reports (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/analytics", tags=["insights analytics"])
