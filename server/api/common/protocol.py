"""Wire fields shared by chat and text completions (OpenAI format plus vLLM's extensions)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# vLLM's own OpenAI server accepts a seed in the signed 64-bit range (its transport's limit).
SEED_MIN, SEED_MAX = -(2**63), 2**63 - 1
# Below this temperature vLLM samples greedily (vllm.sampling_params._SAMPLING_EPS).
GREEDY_TEMPERATURE = 1e-5


class WireModel(BaseModel):
    # Unknown OpenAI fields are ignored, as OpenAI-compatible servers do.
    model_config = ConfigDict(extra="ignore")


class JsonSchemaSpec(WireModel):
    name: str = "response"
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None


class ResponseFormat(WireModel):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaSpec | None = None


class StructuredOutputs(WireModel):
    """vLLM's extension: constrain decoding to one of `choice`, a JSON schema or a regex."""

    choice: list[str] | None = Field(default=None, min_length=1)
    json_: dict[str, Any] | None = Field(default=None, alias="json")
    regex: str | None = None


class StreamOptions(WireModel):
    include_usage: bool = False


class SamplingFields(WireModel):
    model: str = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=1.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    n: int = Field(default=1, ge=1, le=16)
    stop: str | list[str] | None = None
    seed: int | None = Field(default=None, ge=SEED_MIN, le=SEED_MAX)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    stream: bool = False
    stream_options: StreamOptions | None = None
    response_format: ResponseFormat | None = None
    structured_outputs: StructuredOutputs | None = None
    guided_choice: list[str] | None = Field(default=None, min_length=1)
    # vLLM's extension: generate exactly max_tokens (what `vllm bench serve` sends)
    ignore_eos: bool = False
    user: str | None = None

    @field_validator("n")
    @classmethod
    def _one_greedy_answer(cls, n: int, info: ValidationInfo) -> int:
        # vLLM refuses it only when the request reaches the engine (a 500 before this check).
        temperature = info.data.get("temperature")
        if n > 1 and temperature is not None and temperature < GREEDY_TEMPERATURE:
            raise ValueError("n > 1 needs temperature > 0: greedy sampling gives one answer")
        return n


class Usage(WireModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class CompletionEnvelope(WireModel):
    """What a chat or text completion response holds besides its object type and choices."""

    id: str
    created: int
    model: str
    usage: Usage


class CitationRef(WireModel):
    """A record a response cites (retrieval.citations.Citation.as_dict)."""

    id: str = Field(description="type:record_id@vVERSION, as tagged in the context block")
    type: str
    record_id: str
    version: int
    updated_at: str | None = None
