"""Your code for the produits table: the generated routes call these hooks.

This file is yours. nocode created it once and never changes it again, whatever the
spec becomes; keep the three functions (the routes call them) and put anything here.
To refuse a write, raise `fastapi.HTTPException` or `app.core.errors.ApiError`.
"""

from app.core.security import Principal
from app.models.produits import ProduitsCreate, ProduitsUpdate


async def before_create(data: ProduitsCreate, caller: Principal) -> ProduitsCreate:
    """Runs before a record is inserted; returns the values to insert."""
    return data


async def before_update(record_id: int, data: ProduitsUpdate, caller: Principal) -> ProduitsUpdate:
    """Runs before a record is replaced (PUT) or changed (PATCH); returns the new values."""
    return data


async def before_delete(record_id: int, caller: Principal) -> None:
    """Runs before a record is deleted."""
