"""Wire models of the adapter lifecycle endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.adapter_manager import AdapterState


class LoadAdapterRequest(BaseModel):
    adapter: str = Field(min_length=1, max_length=200, description="NAME@VERSION (or NAME: latest)")
    force: bool = Field(default=False, description="Load even below the deployment gate.")


class AdapterStatusOut(BaseModel):
    name: str
    status: AdapterState
    rank: int | None = None
    version: str | None = None
    task: str | None = None
    reason: str | None = Field(default=None, description="why it failed to load")
    eval_summary: dict[str, float] | None = None
    load_seconds: float | None = None
    sha256: str | None = Field(default=None, description="the weights' (registry adapters)")
    live: dict[str, float] | None = Field(
        default=None,
        description="served by this process: requests_<status>, grounding_failures (drafts "
        "still failing after the retry), mean_latency_s",
    )


class AdapterList(BaseModel):
    object: Literal["list"] = "list"
    data: list[AdapterStatusOut]


class AdapterDeleted(BaseModel):
    name: str
    deleted: Literal[True] = True
