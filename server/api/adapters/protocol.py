"""Wire models of the adapter lifecycle endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoadAdapterRequest(BaseModel):
    adapter: str = Field(min_length=1, max_length=200, description="NAME@VERSION (or NAME: latest)")
    force: bool = Field(default=False, description="Load even below the deployment gate.")
