"""POST /v1/ar/emails: retrieval context, the email adapter, a grounding check, citations."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from adapters.evaluation.email_draft import check_draft
from adapters.language import base_language
from adapters.manifest import DEFAULT_LANGUAGES
from adapters.prompts import ar_email_drafter
from adapters.registry import AdapterNotFoundError, IntegrityError
from adapters.tasks import EMAIL_DRAFTER
from retrieval.block import ContextBlock
from server.api.ar_emails.context import email_context
from server.api.ar_emails.drafted import Attempt, Drafted, email_response
from server.api.ar_emails.protocol import (
    EmailRequest,
    EmailResponse,
)
from server.api.common.generation import GenerationRun, new_request_id
from server.api.common.routing import adapter_ref, choose, require_adapter
from server.audit.context import audit_note
from server.engine.protocol import Engine, SamplingConfig
from server.errors import InvalidRequestError
from server.retrieval_runtime import RetrievalRuntime
from server.rollouts.controller import Choice
from server.rollouts.scores import CANDIDATE, Outcome, error_outcome
from server.state import AppState
from server.tracing import tracer

ENDPOINT = "ar_emails"
RETRY_TEMPERATURE = 0.7  # the retry must differ from the greedy first draft
RETRY_SEED = 1234


def email_messages(
    context: ContextBlock, req: EmailRequest, template: str = ar_email_drafter.TEMPLATE_VERSION
) -> list[dict[str, str]]:
    """The chat messages of one e-mail request: the adapter's template over the block."""
    return ar_email_drafter.messages(
        context.text, req.email_type, req.instructions, req.language, template
    )


@dataclass(frozen=True)
class AdapterFacts:
    """What the serving adapter's manifest says about its prompt and languages."""

    languages: tuple[str, ...]
    template: str


class EmailService:
    def __init__(self, state: AppState, engine: Engine, retrieval: RetrievalRuntime) -> None:
        self.state = state
        self.engine = engine
        self.retrieval = retrieval
        self._facts: dict[str, AdapterFacts] = {}  # NAME@VERSION -> its manifest's

    def adapter_facts(self, adapter: str) -> AdapterFacts:
        """The serving adapter's languages and prompt template, from its manifest; one loaded
        without a registry entry declares none, so it is held to English and to template 1
        (it states its facts itself, and the checks read them as written)."""
        unknown = AdapterFacts(DEFAULT_LANGUAGES, ar_email_drafter.V1)
        status = self.state.adapters.get(adapter)
        manager = self.state.adapter_manager
        if status is None or not status.version or manager is None:
            return unknown
        ref = status.ref
        if ref not in self._facts:
            try:
                manifest = manager.registry.resolve(ref).manifest
                facts = AdapterFacts(tuple(manifest.languages), manifest.prompt_template_version)
            except (AdapterNotFoundError, IntegrityError):
                facts = unknown
            self._facts[ref] = facts
        return self._facts[ref]

    def languages(self, adapter: str) -> tuple[str, ...]:
        return self.adapter_facts(adapter).languages

    def require_language(self, adapter: str, language: str) -> None:
        """A language the adapter was not trained for is refused, never drafted in another."""
        supported = self.languages(adapter)
        if base_language(language) not in supported:
            raise InvalidRequestError(
                f"language '{language}' is not supported by the e-mail adapter "
                f"{adapter_ref(self.state, adapter)}; supported: {', '.join(supported)}",
                param="language",
                code="unsupported_language",
            )

    def _context(self, tenant_id: str, req: EmailRequest) -> ContextBlock:
        return email_context(
            self.retrieval.assembler, tenant_id, req.customer_id, req.email_type,
            self.state.settings.email_context_tokens, req.invoice_ids or (), req.dispute_id,
            req.instructions,
        )  # fmt: skip

    def _prompt(self, context: ContextBlock, req: EmailRequest, template: str) -> list[int]:
        messages = email_messages(context, req, template)
        return self.engine.tokenize(self.engine.render_chat(messages))

    async def _generate(
        self, tenant_id: str, adapter: str, prompt: list[int], sampling: SamplingConfig
    ) -> tuple[str, int, int]:
        request_id = new_request_id("email")
        run = GenerationRun(
            self.state, self.engine, prompt, sampling, adapter, ENDPOINT, request_id, tenant_id
        )
        result = await run.collect()
        return result.choices[0].text, result.num_prompt_tokens, result.num_completion_tokens

    async def _attempt(
        self, tenant_id: str, adapter: str, used: ContextBlock, req: EmailRequest, resample: bool
    ) -> Attempt:
        sampling = SamplingConfig(
            max_tokens=self.state.settings.email_max_tokens,
            temperature=RETRY_TEMPERATURE if resample else 0.0,
            seed=RETRY_SEED if resample else None,
        )
        template = self.adapter_facts(adapter).template
        with tracer().start_as_current_span("attempt") as span:
            span.set_attribute("arserve.resample", resample)
            with tracer().start_as_current_span("prompt") as prompt_span:
                prompt = self._prompt(used, req, template)
                prompt_span.set_attribute("arserve.prompt_tokens", len(prompt))
            draft, p, c = await self._generate(tenant_id, adapter, prompt, sampling)
            with tracer().start_as_current_span("grounding") as check_span:
                check = check_draft(
                    draft, used.text, req.email_type, req.language, template, used.statement,
                    req.instructions,
                )  # fmt: skip
                check_span.set_attribute("arserve.problems", len(check.problems))
        return Attempt(check, p, c)

    def _count_grounding_failure(self, adapter: str, outcome: str) -> None:
        metrics = self.state.metrics
        metrics.grounding_failures.labels(metrics.label(adapter), outcome).inc()

    async def draft(self, tenant_id: str, req: EmailRequest) -> EmailResponse:
        settings = self.state.settings
        started = time.perf_counter()
        default = settings.email_adapter_routes.get(req.email_type, settings.email_adapter)
        choice = choose(self.state, tenant_id, EMAIL_DRAFTER, default, req.customer_id)
        require_adapter(self.engine, choice.key)
        self.require_language(choice.key, req.language)
        audit_note(customer_id=req.customer_id, arm=choice.arm, rollout_id=choice.rollout_id)
        with tracer().start_as_current_span("retrieval.context") as span:
            context = await asyncio.to_thread(self._context, tenant_id, req)
            span.set_attribute("arserve.context_tokens", context.token_count)
        retrieval_s = time.perf_counter() - started
        self.state.metrics.retrieval_latency.labels(ENDPOINT).observe(retrieval_s)
        self.state.metrics.context_tokens.labels(ENDPOINT).observe(context.token_count)

        rollouts = self.state.rollouts
        gen_started = time.perf_counter()
        try:
            drafted = await self._write(tenant_id, choice.key, context, req)
        except Exception as exc:
            if rollouts is not None:
                await rollouts.observe(choice, error_outcome(exc))
            raise
        audit_note(**drafted.audit_fields())
        if rollouts is not None:
            await rollouts.observe(choice, drafted.outcome)
            self._shadow(tenant_id, choice, context, req)
        timings = (retrieval_s, time.perf_counter() - gen_started, started)
        return email_response(self.state, drafted, req, choice.key, timings)

    def _shadow(
        self, tenant_id: str, choice: Choice, context: ContextBlock, req: EmailRequest
    ) -> None:
        """The rollout's candidate drafts the same request in the background: scored by the
        same checks, never returned."""
        rollouts, key = self.state.rollouts, choice.shadow_key
        if rollouts is None or key is None or choice.rollout_id is None:
            return
        if base_language(req.language) not in self.languages(key):
            return  # not a request the candidate could answer
        rollout_id = choice.rollout_id

        async def run() -> None:
            try:
                drafted = await self._write(tenant_id, key, context, req)
            except Exception as exc:
                await rollouts.record(rollout_id, CANDIDATE, key, Outcome(is_error=True))
                raise exc
            await rollouts.record(rollout_id, CANDIDATE, key, drafted.outcome)

        async def timed_out() -> None:
            await rollouts.record(rollout_id, CANDIDATE, key, Outcome(is_error=True))

        rollouts.shadow.submit(run, on_timeout=timed_out)

    async def _write(
        self, tenant_id: str, adapter: str, context: ContextBlock, req: EmailRequest
    ) -> Drafted:
        """The draft and its retry, checked; nothing raised for what the checks found."""
        settings = self.state.settings
        used, dropped = context, []
        attempts = [await self._attempt(tenant_id, adapter, context, req, resample=False)]
        if attempts[0].check.problems:
            self._count_grounding_failure(adapter, "retried")
            # The retry drops the retrieved passages: a draft that states facts the records
            # do not, or attaches them to the wrong record, usually took them from free text
            # (a note, an e-mail, a planted instruction). Greedy again unless that leaves the
            # prompt unchanged.
            used = self.retrieval.assembler.facts_only(context, settings.email_context_tokens)
            dropped = [c for c in context.citations if c not in used.citations]
            attempts.append(
                await self._attempt(
                    tenant_id, adapter, used, req, resample=used.text == context.text
                )
            )
            if attempts[-1].check.problems:
                self._count_grounding_failure(adapter, "final")
        return Drafted(attempts, used, dropped)
