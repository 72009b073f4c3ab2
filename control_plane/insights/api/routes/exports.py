"""Exports as CSV, JSON and PDF (docs/insights.md)."""

from fastapi import APIRouter

router = APIRouter(prefix="/exports", tags=["insights exports"])
