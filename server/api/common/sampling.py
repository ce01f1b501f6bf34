"""Turn wire fields into engine sampling settings, with the checks that need the engine."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import SchemaError, validators

from server.api.common.protocol import SamplingFields
from server.engine.protocol import Engine, SamplingConfig, StructuredOutput
from server.errors import InvalidRequestError, NotFoundError, PayloadTooLargeError
from server.rollouts.controller import RolloutController
from server.settings import Settings

MAX_STOP_SEQUENCES = 4


def resolve_adapter(
    model: str, engine: Engine, rollouts: RolloutController | None, tenant: str, user: str | None
) -> str | None:
    """`model` names the base model (None) or an adapter this tenant may use: NAME follows
    the tenant's route (and its canary, by `user`), NAME@VERSION a loaded version."""
    if model == engine.model_name:
        return None
    if rollouts is not None:
        return rollouts.choose_model(tenant, model, user).key
    if any(a.name == model for a in engine.list_adapters()):
        return model
    raise NotFoundError(f"model '{model}' does not exist", param="model", code="model_not_found")


def _schema(schema: dict[str, Any], param: str) -> dict[str, Any]:
    """Refuse a malformed JSON schema before admission (vLLM's backends fail later, as 500s)."""
    try:
        validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        raise InvalidRequestError(f"invalid JSON schema: {exc.message}", param=param) from exc
    return schema


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidRequestError(
            f"invalid regular expression: {exc}", param="structured_outputs.regex"
        ) from exc
    return pattern


def _structured(fields: SamplingFields) -> StructuredOutput | None:
    chosen: list[StructuredOutput] = []
    if fields.response_format is not None and fields.response_format.type != "text":
        rf = fields.response_format
        if rf.type == "json_schema":
            if rf.json_schema is None:
                raise InvalidRequestError(
                    "response_format.json_schema is required for type json_schema",
                    param="response_format.json_schema",
                )
            chosen.append(
                StructuredOutput(
                    json_schema=_schema(
                        rf.json_schema.schema_, "response_format.json_schema.schema"
                    )
                )
            )
        else:
            chosen.append(StructuredOutput(json_schema={"type": "object"}))
    if fields.guided_choice:
        chosen.append(StructuredOutput(choice=tuple(fields.guided_choice)))
    if so := fields.structured_outputs:
        if so.choice:
            chosen.append(StructuredOutput(choice=tuple(so.choice)))
        if so.json_ is not None:
            chosen.append(
                StructuredOutput(json_schema=_schema(so.json_, "structured_outputs.json"))
            )
        if so.regex is not None:
            chosen.append(StructuredOutput(regex=_regex(so.regex)))
    if len(chosen) > 1:
        raise InvalidRequestError(
            "use only one of response_format, guided_choice and structured_outputs",
            param="response_format",
        )
    return chosen[0] if chosen else None


def _stops(stop: str | list[str] | None) -> tuple[str, ...]:
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if len(stops) > MAX_STOP_SEQUENCES:
        raise InvalidRequestError(
            f"at most {MAX_STOP_SEQUENCES} stop sequences are allowed", param="stop"
        )
    if any(not s for s in stops):
        raise InvalidRequestError("stop sequences must not be empty", param="stop")
    return tuple(stops)


def resolve_max_tokens(
    requested: int | None,
    num_prompt_tokens: int,
    engine: Engine,
    settings: Settings,
    prompt_param: str = "messages",
) -> int:
    """Check the prompt and output lengths against the configured limits."""
    limit = min(settings.resolved_max_prompt_tokens, engine.max_model_len - 1)
    if num_prompt_tokens > limit:
        raise PayloadTooLargeError(
            f"prompt has {num_prompt_tokens} tokens; the limit is {limit}",
            param=prompt_param,
            code="prompt_too_long",
        )
    room = engine.max_model_len - num_prompt_tokens
    if requested is None:
        return min(room, settings.default_max_tokens)
    if requested > room:
        raise InvalidRequestError(
            f"max_tokens={requested} plus the prompt's {num_prompt_tokens} tokens exceeds the "
            f"model's context of {engine.max_model_len} tokens",
            param="max_tokens",
            code="context_length_exceeded",
        )
    return requested


def build_sampling(
    fields: SamplingFields, max_tokens: int, num_logprobs: int | None
) -> SamplingConfig:
    return SamplingConfig(
        max_tokens=max_tokens,
        temperature=fields.temperature,
        top_p=fields.top_p,
        n=fields.n,
        stop=_stops(fields.stop),
        seed=fields.seed,
        presence_penalty=fields.presence_penalty,
        frequency_penalty=fields.frequency_penalty,
        logprobs=num_logprobs,
        structured=_structured(fields),
        ignore_eos=fields.ignore_eos,
    )
