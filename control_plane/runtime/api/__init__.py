"""The Runtime API (seed 000) under `/api/v1/runtime`: one router per resource."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/runtime")
