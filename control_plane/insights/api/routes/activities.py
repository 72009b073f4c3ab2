"""The activity feed (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/activities", tags=["insights activities"])
