"""Bodies of the data served through the platform: the environments an app is deployed
in, and the app token a member asks for to call the app's own `api_base_url`."""

from __future__ import annotations

from pydantic import BaseModel

from control_plane.foundation.models import Role


class AppTokenPublic(BaseModel):
    """A token the app accepts, for the caller's role in the app's organisation."""

    token: str
    token_type: str = "Bearer"
    expires_in: int  # seconds
    api_base_url: str  # the app's own: .../api/v1/runtime/projects/{project_id}/
    role: Role
