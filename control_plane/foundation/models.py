"""Request and response bodies of the Foundation API (pydantic)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

if TYPE_CHECKING:
    from control_plane.foundation.queries.users import User


class Role(StrEnum):
    """A member's role in an organisation (seed 001)."""

    CLIENT = "CLIENT"
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    OWNER = "OWNER"


# C0 and C1 controls and the Unicode line and paragraph separators: none belongs in a
# one-line value, and a line break in a name would end up in a mail header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must be one line, without control characters")
    return value


# Every string that is not multi-line text (names, titles, codes, tokens). Passwords are
# left out: hashed, never shown nor put in a header, and a passphrase is the user's own.
OneLine = AfterValidator(_one_line)
Password = Annotated[str, Field(min_length=10, max_length=128)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150), OneLine
]
OptionalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=150), OneLine]
Secret = Annotated[str, Field(min_length=1, max_length=2048), OneLine]


# Text PostgreSQL cannot store: refused up front, naming the field, for query strings too.
WITHOUT_NUL = r"^[^\x00]*$"


class Body(BaseModel):
    """Unknown keys are refused: a typo must not be silently ignored. So is a string with
    a NUL character (PostgreSQL's text cannot hold one), in any field."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _without_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value


class RegisterRequest(Body):
    email: EmailStr
    password: Password
    first_name: Name
    last_name: OptionalName = ""


class Accepted(BaseModel):
    """The same answer whether or not an account exists for the email."""

    email: str
    detail: str


class LoginRequest(Body):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=128)]


class RefreshRequest(Body):
    refresh: Secret


class TokenRequest(Body):
    token: Secret


class EmailRequest(Body):
    email: EmailStr


class PasswordResetConfirm(Body):
    token: Secret
    password: Password


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserPublic:
        """What the API shows of a user: never the password hash."""
        return cls(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            email_verified=user.email_verified_at is not None,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class TokenPair(BaseModel):
    access: str
    refresh: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds the access token is valid for")


class Tokens(TokenPair):
    user: UserPublic


class ProfileUpdate(Body):
    first_name: Name
    last_name: OptionalName


OrganizationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Description = Annotated[str, Field(max_length=2000)]


class OrganizationCreate(Body):
    name: OrganizationName
    description: Description = ""


class OrganizationUpdate(Body):
    """Only the fields given change; null is not a value for either."""

    name: OrganizationName = Field(default=None)  # type: ignore[assignment]
    description: Description = Field(default=None)  # type: ignore[assignment]


class OrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    role: Role
    members_count: int
    created_at: datetime
    updated_at: datetime


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    role: Role
    joined_at: datetime


class InvitationCreate(Body):
    email: EmailStr
    role: Role = Role.MEMBER


class InvitationPublic(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    role: Role
    expires_at: datetime
    created_at: datetime


class RoleChange(Body):
    role: Role


class PlanPublic(BaseModel):
    code: str
    name: str
    monthly_price_cents: int
    currency: str
    limits: dict[str, Any]


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PENDING_PAYMENT = "pending_payment"  # a paid plan chosen, no payment provider yet
    CANCELLED = "cancelled"


class SubscriptionPublic(BaseModel):
    organization_id: uuid.UUID
    plan: PlanPublic
    status: SubscriptionStatus
    users: int
    started_at: datetime
    updated_at: datetime


class SubscriptionChange(Body):
    plan: Annotated[str, Field(min_length=1, max_length=50), OneLine]


class AuditEntry(BaseModel):
    id: int
    actor_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str
    ip: str | None
    user_agent: str | None
    request_id: str | None
    details: dict[str, Any]
    created_at: datetime
