"""The Runtime API (seed 000) under `/api/v1/runtime`: one router per resource."""

from fastapi import APIRouter

from control_plane.runtime.api.routes import data, tokens

router = APIRouter(prefix="/api/v1/runtime")
router.include_router(data.router)
router.include_router(tokens.router)
