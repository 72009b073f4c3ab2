"""The Automation API (seed 004) under `/api/v1/automation`: one router per resource."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/automation")
