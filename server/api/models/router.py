"""GET /v1/models: the base model and every loaded adapter (parent = the base), as vLLM does."""

from __future__ import annotations

import time

from fastapi import APIRouter

from server.api.deps import EngineDep, InferPrincipal
from server.api.models.protocol import ModelCard, ModelList
from server.api.openapi import KEYED, error_responses

router = APIRouter()
_CREATED = int(time.time())


def _card(model_id: str, root: str, parent: str | None) -> ModelCard:
    return ModelCard(id=model_id, created=_CREATED, owned_by="arserve", root=root, parent=parent)


@router.get("/v1/models", response_model=ModelList, responses=error_responses(*KEYED, 503))
async def list_models(principal: InferPrincipal, engine: EngineDep) -> ModelList:
    base = engine.model_name
    # An adapter's folder is a server path: only admin keys see it; others see its name.
    admin = "admin" in principal.scopes
    cards = [_card(base, base, None)]
    cards += [_card(a.name, a.path if admin else a.name, base) for a in engine.list_adapters()]
    return ModelList(data=cards)
