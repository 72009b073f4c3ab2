"""The Studio API (seeds 001, 003) under `/api/v1/studio`: one router per resource."""

from control_plane.routing import ModuleRouter
from control_plane.studio.api.routes import (
    components,
    exports,
    fields,
    pages,
    projects,
    schemas,
    versions,
)

router = ModuleRouter(prefix="/api/v1/studio")
router.include_router(projects.router)
router.include_router(schemas.router)
router.include_router(fields.router)
router.include_router(versions.router)
router.include_router(pages.router)
router.include_router(components.router)
router.include_router(exports.router)
