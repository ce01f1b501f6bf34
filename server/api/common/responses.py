"""Response bodies shared by chat and text completions (OpenAI's envelope and usage)."""

from __future__ import annotations

from typing import Any


def usage(num_prompt: int, num_completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": num_prompt,
        "completion_tokens": num_completion,
        "total_tokens": num_prompt + num_completion,
    }


def completion_body(
    request_id: str,
    object_: str,
    created: int,
    model: str,
    choices: list[dict[str, Any]],
    usage_: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A response or stream chunk; chunks carry usage only in the last one, if asked for."""
    body: dict[str, Any] = {
        "id": request_id,
        "object": object_,
        "created": created,
        "model": model,
        "choices": choices,
    }
    if usage_ is not None:
        body["usage"] = usage_
    return body
