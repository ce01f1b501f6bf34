"""POST /v1/disputes/classify: the classifier adapter, constrained to the taxonomy.

Every label starts with its own token, so the label is decided at the first decoding step.
That step is constrained to the taxonomy, and the label probabilities are the model's
probabilities of those first tokens, renormalised over the taxonomy.
"""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.evaluation.calibration import Calibration, top
from adapters.prompts import dispute_classifier, template_for
from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS
from retrieval.citations import Citation
from retrieval.errors import NotFoundError
from retrieval.records import Record
from server.api.common.generation import GenerationRun, new_request_id, run_together
from server.api.common.routing import adapter_ref, require_adapter
from server.api.disputes.calibration import CalibrationCache
from server.api.disputes.protocol import ClassifyRequest, DisputeItem
from server.engine.errors import EngineError
from server.engine.protocol import Engine, SamplingConfig, StructuredOutput, TokenLogprob
from server.errors import ConfigError, InvalidRequestError, PayloadTooLargeError
from server.state import AppState

ENDPOINT = "disputes"
NUM_ALTERNATIVES = 3


def first_tokens(engine: Engine) -> dict[str, int]:
    """Each label's first token id (a ConfigError when two labels share one)."""
    try:
        return dispute_classifier.first_tokens(engine.tokenize, DISPUTE_LABELS)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def label_distribution(step: TokenLogprob, firsts: dict[str, int]) -> dict[str, float]:
    """The label distribution of the first decoding step (an EngineError when not finite)."""
    logprobs = {tid: lp for tid, (_, lp) in zip(step.top_ids, step.top, strict=True)}
    try:
        return dispute_classifier.label_distribution(logprobs, firsts)
    except ValueError as exc:
        raise EngineError(str(exc), code="non_finite_output") from exc


def _cite(record: Record) -> dict[str, object]:
    updated = record.updated_at.isoformat() if record.updated_at else None
    return Citation(record.record_type, record.record_id, record.version, updated).as_dict()


class DisputeService:
    """Built once the engine is ready, so the labels are tokenized once."""

    def __init__(self, state: AppState, engine: Engine) -> None:
        self.state = state
        self.engine = engine
        self.firsts = first_tokens(engine)
        self.calibrations = CalibrationCache()

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

    async def _classify(
        self, tenant_id: str, item: DisputeItem, adapter: str, cal: Calibration | None
    ) -> dict[str, Any]:
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
        if cal is not None:
            probs = cal.probabilities(probs)
        label, confidence = top(probs)
        ranked = sorted(probs.items(), key=lambda kv: -kv[1])
        self.state.metrics.classification_labels.labels(
            self.state.metrics.label(adapter), label
        ).inc()
        return {
            "label": label,
            "confidence": round(confidence, 6),
            # uncalibrated, no label is trusted enough to skip the review queue
            "needs_review": cal is None or cal.needs_review(label, confidence),
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
        cal = self.calibrations.get(self.engine, adapter)
        # Concurrently, so the engine batches the items.
        results = await run_together([self._classify(tenant_id, i, adapter, cal) for i in items])
        return {"object": "list", "data": list(results)}
