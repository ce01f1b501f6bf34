"""Wire models of GET /v1/models (OpenAI's model list, with vLLM's root and parent)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    root: str = Field(
        description="the base model's name; an adapter's folder (admin keys) or its name"
    )
    parent: str | None = Field(description="the base model, for an adapter")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
