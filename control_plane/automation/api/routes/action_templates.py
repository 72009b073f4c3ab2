"""`/action-templates/`: the catalogue of the actions this platform executes (seed 004),
the same for everyone signed in."""

from __future__ import annotations

from fastapi import APIRouter

from control_plane.automation.engine.executors.catalogue import TEMPLATES, ActionTemplate
from control_plane.foundation.api.deps import Caller
from control_plane.pagination import Page

router = APIRouter(prefix="/action-templates", tags=["action-templates"])


@router.get("/")
async def list_action_templates(caller: Caller) -> Page[ActionTemplate]:
    return Page(count=len(TEMPLATES), next=None, previous=None, results=list(TEMPLATES))
