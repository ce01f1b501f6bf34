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
from server.api.common.routing import adapter_ref, choose, require_adapter
from server.api.disputes.calibration import CalibrationCache
from server.api.disputes.protocol import ClassifyRequest, DisputeItem
from server.audit.context import audit_note
from server.engine.errors import EngineError
from server.engine.protocol import Engine, SamplingConfig, StructuredOutput, TokenLogprob
from server.errors import ConfigError, InvalidRequestError, PayloadTooLargeError
from server.rollouts.controller import Choice
from server.rollouts.scores import CANDIDATE, Outcome, error_outcome
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


def _cite(record: Record) -> Citation:
    updated = record.updated_at.isoformat() if record.updated_at else None
    return Citation(record.record_type, record.record_id, record.version, updated)


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

    def _citations(self, tenant_id: str, item: DisputeItem) -> list[Citation]:
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
        if item.customer_id:
            audit_note(customer_id=item.customer_id)
        audit_note(citations=[c.id for c in citations])
        messages = template_for(DISPUTE_CLASSIFIER).messages(item.text)
        prompt = self.engine.tokenize(self.engine.render_chat(messages))
        sampling = SamplingConfig(
            max_tokens=1,
            temperature=0.0,
            logprob_token_ids=tuple(self.firsts.values()),
            structured=StructuredOutput(choice=DISPUTE_LABELS),
        )
        request_id = new_request_id("dispute")
        audit_note(generation_id=request_id)
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
            "id": request_id,
            "label": label,
            "confidence": round(confidence, 6),
            # uncalibrated, no label is trusted enough to skip the review queue
            "needs_review": cal is None or cal.needs_review(label, confidence),
            "alternatives": [
                {"label": lab, "probability": round(p, 6)}
                for lab, p in ranked[1 : 1 + NUM_ALTERNATIVES]
            ],
            "probabilities": {lab: round(p, 6) for lab, p in ranked},
            "citations": [c.as_dict() for c in citations],
            "adapter": adapter_ref(self.state, adapter),
        }

    async def classify(self, tenant_id: str, req: ClassifyRequest) -> dict[str, Any]:
        items = req.as_items()
        self._check(items)
        default = self.state.settings.dispute_adapter
        # Per item: a canary splits by customer, so one batch can hold both arms.
        choices = [choose(self.state, tenant_id, DISPUTE_CLASSIFIER, default, i.customer_id)
                   for i in items]  # fmt: skip
        for key in dict.fromkeys(c.key for c in choices):
            require_adapter(self.engine, key)
        arms = {c.arm for c in choices}
        rollout_id = next((c.rollout_id for c in choices if c.rollout_id), None)
        audit_note(arm=arms.pop() if len(arms) == 1 else "mixed", rollout_id=rollout_id)
        # All items are admitted or none, and one failing item stops the others: a
        # half-admitted batch would keep the engine busy for a 429 or a 404.
        self.state.admission.check(len(items))
        # Concurrently, so the engine batches the items.
        jobs = [self._scored(tenant_id, i, c) for i, c in zip(items, choices, strict=True)]
        return {"object": "list", "data": list(await run_together(jobs))}

    async def _scored(self, tenant_id: str, item: DisputeItem, choice: Choice) -> dict[str, Any]:
        """One item on its chosen version, scored when its route is under rollout."""
        rollouts = self.state.rollouts
        cal = self.calibrations.get(self.engine, choice.key)
        try:
            result = await self._classify(tenant_id, item, choice.key, cal)
        except Exception as exc:
            if rollouts is not None:
                await rollouts.observe(choice, error_outcome(exc))
            raise
        if rollouts is not None:
            await rollouts.observe(choice, Outcome())
            if choice.shadow_key is not None:
                shadow = choice.shadow_key
                rollout_id = choice.rollout_id
                assert rollout_id is not None

                async def timed_out() -> None:
                    await rollouts.record(rollout_id, CANDIDATE, shadow, Outcome(is_error=True))

                rollouts.shadow.submit(
                    lambda: self._shadow(tenant_id, item, choice, shadow, result),
                    on_timeout=timed_out,
                )
        return result

    async def _shadow(
        self, tenant_id: str, item: DisputeItem, choice: Choice, key: str, live: dict[str, Any]
    ) -> None:
        """The candidate on the same item, in the background: scored, never returned."""
        rollouts = self.state.rollouts
        assert rollouts is not None and choice.rollout_id is not None
        try:
            result = await self._classify(
                tenant_id, item, key, self.calibrations.get(self.engine, key)
            )
        except Exception as exc:
            await rollouts.record(
                choice.rollout_id, CANDIDATE, key, error_outcome(exc) or Outcome(is_error=True)
            )
            raise
        outcome = Outcome(agrees=result["label"] == live["label"])
        await rollouts.record(choice.rollout_id, CANDIDATE, key, outcome)
