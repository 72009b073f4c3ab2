"""The apps' performance (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/performance", tags=["insights performance"])
