"""Event tracking (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/track", tags=["insights track"])
