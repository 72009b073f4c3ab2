"""Foundation's answers: accounts, tokens, organisations, members, invitations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from nocode_client.models.common import ApiModel


class User(ApiModel):
    id: UUID
    email: str
    first_name: str
    last_name: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime


class TokenPair(ApiModel):
    access: str
    refresh: str
    expires_in: int  # seconds the access token lives


class Login(TokenPair):
    user: User


class Organization(ApiModel):
    id: UUID
    name: str
    description: str
    role: str  # the caller's: CLIENT, MEMBER, ADMIN, OWNER
    members_count: int
    created_at: datetime
    updated_at: datetime


class Member(ApiModel):
    user_id: UUID
    email: str
    first_name: str
    last_name: str
    role: str
    joined_at: datetime


class Invitation(ApiModel):
    id: UUID
    organization_id: UUID
    email: str
    role: str
    expires_at: datetime
    created_at: datetime
