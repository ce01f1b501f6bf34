"""GET /v1/models: the base model and every loaded adapter (parent = the base), as vLLM does."""

from __future__ import annotations

import time

from fastapi import APIRouter

from server.api.deps import EngineDep, InferPrincipal, StateDep
from server.api.models.protocol import ModelCard, ModelList
from server.api.openapi import KEYED, error_responses

router = APIRouter()
_CREATED = int(time.time())


def _card(model_id: str, root: str, parent: str | None) -> ModelCard:
    return ModelCard(id=model_id, created=_CREATED, owned_by="arserve", root=root, parent=parent)


@router.get("/v1/models", response_model=ModelList, responses=error_responses(*KEYED, 503))
async def list_models(principal: InferPrincipal, engine: EngineDep, state: StateDep) -> ModelList:
    """Each key sees its own list: an adapter kept for other tenants is not in it."""
    base = engine.model_name
    # An adapter's folder is a server path: only admin keys see it; others see its name.
    admin = "admin" in principal.scopes
    rollouts = state.rollouts
    adapters = [
        a
        for a in engine.list_adapters()
        if rollouts is None or rollouts.allows(principal.tenant_id, a.name)
    ]
    cards = [_card(base, base, None)]
    cards += [_card(a.name, a.path if admin else a.name, base) for a in adapters]
    return ModelList(data=cards)
