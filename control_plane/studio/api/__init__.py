"""The Studio API (seeds 001, 003) under `/api/v1/studio`: one router per resource."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/studio")
