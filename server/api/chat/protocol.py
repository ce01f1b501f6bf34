"""Wire models of POST /v1/chat/completions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from server.api.common.protocol import CitationRef, CompletionEnvelope, SamplingFields, WireModel


class ContentPart(WireModel):
    type: Literal["text"]
    text: str


class ChatMessage(WireModel):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[ContentPart]
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class RagOptions(WireModel):
    """arserve extension: inject the customer's context block (tenant from the API key)."""

    customer_id: str = Field(min_length=1, max_length=64)
    query: str | None = Field(default=None, max_length=2000)
    invoice_ids: list[str] | None = Field(default=None, max_length=50)
    max_context_tokens: int | None = Field(default=None, ge=32, le=32768)


class ChatCompletionRequest(SamplingFields):
    messages: list[ChatMessage] = Field(min_length=1)
    rag: RagOptions | None = None
    max_completion_tokens: int | None = Field(default=None, ge=1)
    logprobs: bool = False
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    # Declared only to be refused: a parameter the server does not support is never ignored.
    tools: Any = Field(default=None, description="not supported: refused with 400")
    tool_choice: Any = Field(default=None, description="not supported: refused with 400")

    @field_validator("tools", "tool_choice")
    @classmethod
    def _unsupported(cls, value: Any) -> None:
        if value is not None:
            raise ValueError("tool calling is not supported by this server")
        return None

    @model_validator(mode="after")
    def _check(self) -> ChatCompletionRequest:
        if self.top_logprobs is not None and not self.logprobs:
            raise ValueError("top_logprobs requires logprobs=true")
        return self


class TopLogprob(WireModel):
    token: str
    logprob: float
    bytes: list[int] | None = None


class TokenLogprobOut(TopLogprob):
    top_logprobs: list[TopLogprob] = Field(default_factory=list)


class ChoiceLogprobs(WireModel):
    content: list[TokenLogprobOut]


class AssistantMessage(WireModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(WireModel):
    index: int
    message: AssistantMessage
    logprobs: ChoiceLogprobs | None = None
    finish_reason: str | None


class ChatCompletionResponse(CompletionEnvelope):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[ChatChoice]
    citations: list[CitationRef] | None = None  # with `rag`
