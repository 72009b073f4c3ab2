"""Foundation (`/api/v1/foundation/`): accounts, organisations, members, invitations."""

from __future__ import annotations

from nocode_client._call import (
    Body,
    Call,
    Id,
    delete,
    get,
    model,
    nothing,
    page_of,
    patch,
    post,
    put,
)
from nocode_client.models import (
    Invitation,
    Login,
    Member,
    Organization,
    Page,
    TokenPair,
    User,
)

BASE = "/api/v1/foundation"


def login(email: str, password: str) -> Call[Login]:
    body = {"email": email, "password": password}
    return Call("POST", f"{BASE}/auth/login/", model(Login), body=body, authenticated=False)


def refresh(refresh_token: str) -> Call[TokenPair]:
    body = {"refresh": refresh_token}
    return Call("POST", f"{BASE}/auth/refresh/", model(TokenPair), body=body, authenticated=False)


def logout() -> Call[None]:
    return Call("POST", f"{BASE}/auth/logout/", nothing, body={})


def profile() -> Call[User]:
    """The caller's account."""
    return get(f"{BASE}/users/profile/", read=model(User))


def list_organizations(
    page: int | None = None, page_size: int | None = None
) -> Call[Page[Organization]]:
    """The caller's organisations."""
    return get(f"{BASE}/organizations/", read=page_of(Organization), page=page, page_size=page_size)


def create_organization(body: Body) -> Call[Organization]:
    """`{"name", "description"?}`: the caller becomes its OWNER."""
    return post(f"{BASE}/organizations/", read=model(Organization), body=body)


def get_organization(organization_id: Id) -> Call[Organization]:
    return get(f"{BASE}/organizations/{{}}/", organization_id, read=model(Organization))


def update_organization(organization_id: Id, body: Body) -> Call[Organization]:
    """The keys given change (ADMIN+)."""
    return patch(
        f"{BASE}/organizations/{{}}/", organization_id, read=model(Organization), body=body
    )


def replace_organization(organization_id: Id, body: Body) -> Call[Organization]:
    return put(f"{BASE}/organizations/{{}}/", organization_id, read=model(Organization), body=body)


def delete_organization(organization_id: Id) -> Call[None]:
    """OWNER only."""
    return delete(f"{BASE}/organizations/{{}}/", organization_id)


def list_members(
    organization_id: Id, page: int | None = None, page_size: int | None = None
) -> Call[Page[Member]]:
    return get(
        f"{BASE}/organizations/{{}}/members/",
        organization_id,
        read=page_of(Member),
        page=page,
        page_size=page_size,
    )


def change_member_role(organization_id: Id, user_id: Id, role: str) -> Call[Member]:
    return patch(
        f"{BASE}/organizations/{{}}/members/{{}}/",
        organization_id,
        user_id,
        read=model(Member),
        body={"role": role},
    )


def remove_member(organization_id: Id, user_id: Id) -> Call[None]:
    """Remove a member, or leave (the caller's own id)."""
    return delete(f"{BASE}/organizations/{{}}/members/{{}}/", organization_id, user_id)


def invite(organization_id: Id, email: str, role: str = "MEMBER") -> Call[Invitation]:
    """Email an invitation to join with `role` (ADMIN+)."""
    return post(
        f"{BASE}/organizations/{{}}/invitations/",
        organization_id,
        read=model(Invitation),
        body={"email": email, "role": role},
    )


def list_invitations(
    organization_id: Id, page: int | None = None, page_size: int | None = None
) -> Call[Page[Invitation]]:
    """Pending invitations (ADMIN+)."""
    return get(
        f"{BASE}/organizations/{{}}/invitations/",
        organization_id,
        read=page_of(Invitation),
        page=page,
        page_size=page_size,
    )


def revoke_invitation(organization_id: Id, invitation_id: Id) -> Call[None]:
    return delete(f"{BASE}/organizations/{{}}/invitations/{{}}/", organization_id, invitation_id)


def accept_invitation(token: str) -> Call[Organization]:
    """Join with the token of the invitation's email."""
    return post(f"{BASE}/invitations/accept/", read=model(Organization), body={"token": token})
