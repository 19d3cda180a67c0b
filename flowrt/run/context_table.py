"""The table persistent context lives in (one row per scope and key, the value as JSON)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class ContextEntry(SQLModel, table=True):
    __tablename__ = "flowrt_context"
    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str
