"""POST /v1/disputes/classify: the classifier adapter, constrained to the taxonomy.

Every label starts with its own token, so the label is decided at the first decoding step.
That step is constrained to the taxonomy, and the label probabilities are the model's
probabilities of those first tokens, renormalised over the taxonomy.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from adapters.prompts import template_for
from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS
from retrieval.citations import Citation
from retrieval.errors import NotFoundError
from retrieval.records import Record
from server.api.common.generation import GenerationRun, new_request_id, run_together
from server.api.common.routing import adapter_ref, require_adapter
from server.api.disputes.protocol import ClassifyRequest, DisputeItem
from server.engine.errors import EngineError
from server.engine.protocol import Engine, SamplingConfig, StructuredOutput, TokenLogprob
from server.errors import ConfigError, InvalidRequestError, PayloadTooLargeError
from server.state import AppState

ENDPOINT = "disputes"
NUM_ALTERNATIVES = 3


def first_tokens(engine: Engine) -> dict[str, int]:
    """Each label's first token id; they must be distinct for the label to be decided there."""
    firsts = {label: engine.tokenize(label)[0] for label in DISPUTE_LABELS}
    if len(set(firsts.values())) != len(firsts):
        raise ConfigError("this base model's tokenizer gives two dispute labels one first token")
    return firsts


def label_distribution(step: TokenLogprob, firsts: dict[str, int]) -> dict[str, float]:
    """Label probabilities: the first tokens' probabilities, renormalised over the taxonomy."""
    logprobs = {tid: lp for tid, (_, lp) in zip(step.top_ids, step.top, strict=True)}
    scores = {label: logprobs.get(tid, -math.inf) for label, tid in firsts.items()}
    peak = max(scores.values())
    # NaN scores, or no label with a finite one, leave no distribution (never a null confidence).
    if not math.isfinite(peak) or any(math.isnan(s) for s in scores.values()):
        raise EngineError(
            "the classifier's label distribution is not finite", code="non_finite_output"
        )
    weights = {label: math.exp(s - peak) for label, s in scores.items()}
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()}


def _cite(record: Record) -> dict[str, object]:
    updated = record.updated_at.isoformat() if record.updated_at else None
    return Citation(record.record_type, record.record_id, record.version, updated).as_dict()


class DisputeService:
    """Built once the engine is ready, so the labels are tokenized once."""

    def __init__(self, state: AppState, engine: Engine) -> None:
        self.state = state
        self.engine = engine
        self.firsts = first_tokens(engine)

    def _check(self, items: list[DisputeItem]) -> None:
        settings = self.state.settings
        if not items:
            raise InvalidRequestError("items must not be empty", param="items")
        if len(items) > settings.max_classify_batch:
            raise InvalidRequestError(
                f"at most {settings.max_classify_batch} items per request",
                param="items",
                code="batch_too_large",
            )
        for i, item in enumerate(items):
            if len(item.text) > settings.max_dispute_chars:
                raise PayloadTooLargeError(
                    f"items[{i}].text has {len(item.text)} characters; the limit is "
                    f"{settings.max_dispute_chars}",
                    param=f"items.{i}.text",
                    code="text_too_long",
                )

    def _citations(self, tenant_id: str, item: DisputeItem) -> list[dict[str, object]]:
        if not item.customer_id and not item.invoice_id:
            return []
        # The store may open after the engine: read it per request (503 with the reason).
        store = self.state.ready_retrieval().store
        cites = []
        if item.customer_id:
            cites.append(_cite(store.require_customer(tenant_id, item.customer_id)))
        if item.invoice_id:
            invoice = store.get_record(tenant_id, "invoice", item.invoice_id)
            owner = getattr(invoice, "customer_id", None)
            if invoice is None or (item.customer_id and owner != item.customer_id):
                raise NotFoundError("invoice not found")
            cites.append(_cite(invoice))
        return cites

    async def _classify(self, tenant_id: str, item: DisputeItem, adapter: str) -> dict[str, Any]:
        citations = await asyncio.to_thread(self._citations, tenant_id, item)
        messages = template_for(DISPUTE_CLASSIFIER).messages(item.text)
        prompt = self.engine.tokenize(self.engine.render_chat(messages))
        sampling = SamplingConfig(
            max_tokens=1,
            temperature=0.0,
            logprob_token_ids=tuple(self.firsts.values()),
            structured=StructuredOutput(choice=DISPUTE_LABELS),
        )
        request_id = new_request_id("dispute")
        run = GenerationRun(
            self.state, self.engine, prompt, sampling, adapter, ENDPOINT, request_id, tenant_id
        )
        result = await run.collect()
        probs = label_distribution(result.choices[0].logprobs[0], self.firsts)
        ranked = sorted(probs.items(), key=lambda kv: -kv[1])
        label, confidence = ranked[0]
        self.state.metrics.classification_labels.labels(
            self.state.metrics.label(adapter), label
        ).inc()
        return {
            "label": label,
            "confidence": round(confidence, 6),
            "alternatives": [
                {"label": lab, "probability": round(p, 6)}
                for lab, p in ranked[1 : 1 + NUM_ALTERNATIVES]
            ],
            "probabilities": {lab: round(p, 6) for lab, p in ranked},
            "citations": citations,
            "adapter": adapter_ref(self.state, adapter),
        }

    async def classify(self, tenant_id: str, req: ClassifyRequest) -> dict[str, Any]:
        items = req.as_items()
        self._check(items)
        adapter = self.state.settings.dispute_adapter
        require_adapter(self.engine, adapter)
        # All items are admitted or none, and one failing item stops the others: a
        # half-admitted batch would keep the engine busy for a 429 or a 404.
        self.state.admission.check(len(items))
        # Concurrently, so the engine batches the items.
        results = await run_together([self._classify(tenant_id, i, adapter) for i in items])
        return {"object": "list", "data": list(results)}
