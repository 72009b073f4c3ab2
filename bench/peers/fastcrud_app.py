"""Minimal idiomatic FastCRUD app over the bench's produits table.

Run: DATABASE_URL=postgresql+asyncpg://... uvicorn fastcrud_app:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

from fastapi import FastAPI
from fastcrud import FilterConfig, crud_router
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Numeric, String, Text, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=10)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Produit(Base):
    __tablename__ = "produits"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    reference: Mapped[str] = mapped_column(String(50), unique=True)
    nom: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    prix: Mapped[Decimal] = mapped_column(Numeric(10, 2), index=True)
    stock: Mapped[int] = mapped_column(BigInteger)
    actif: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ProduitCreate(BaseModel):
    reference: str = Field(max_length=50)
    nom: str = Field(max_length=200)
    description: str | None = None
    prix: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    stock: int = Field(ge=0)
    actif: bool = True


class ProduitUpdate(BaseModel):
    reference: str | None = Field(default=None, max_length=50)
    nom: str | None = Field(default=None, max_length=200)
    description: str | None = None
    prix: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    stock: int | None = Field(default=None, ge=0)
    actif: bool | None = None


class ProduitRead(ProduitCreate):
    id: int
    created_at: datetime
    updated_at: datetime


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


app = FastAPI(title="FastCRUD produits")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app.include_router(
    crud_router(
        session=get_session,
        model=Produit,
        create_schema=ProduitCreate,
        update_schema=ProduitUpdate,
        select_schema=ProduitRead,
        path="/produits",
        tags=["produits"],
        filter_config=FilterConfig(prix__gte=None, actif=None),
    )
)
