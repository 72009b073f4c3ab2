"""The PaaS API (seed 002) under `/api/`: one router per resource, each answering errors
in the seed's shape and the platform's envelope at once (api/errors.py)."""

from fastapi import APIRouter

from control_plane.paas.api.routes import deployments, frameworks, stats

router = APIRouter(prefix="/api")
for module in (frameworks, deployments, stats):
    router.include_router(module.router)
