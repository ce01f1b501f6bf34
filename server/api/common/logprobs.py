"""Engine log-probabilities in the two OpenAI wire shapes."""

from __future__ import annotations

from server.engine.protocol import TokenLogprob

# A token masked by constrained decoding has logprob -inf, which JSON cannot hold; vLLM's own
# OpenAI server clamps it to this floor.
MIN_LOGPROB = -9999.0


def _finite(logprob: float) -> float:
    return max(logprob, MIN_LOGPROB)


def chat_logprobs(items: list[TokenLogprob]) -> dict:
    return {
        "content": [
            {
                "token": t.token,
                "logprob": _finite(t.logprob),
                "bytes": list(t.token.encode()),
                "top_logprobs": [
                    {"token": tok, "logprob": _finite(lp), "bytes": list(tok.encode())}
                    for tok, lp in t.top
                ],
            }
            for t in items
        ]
    }


def completion_logprobs(items: list[TokenLogprob], text_offset: int = 0) -> dict:
    offsets, pos = [], text_offset
    for t in items:
        offsets.append(pos)
        pos += len(t.token)
    return {
        "tokens": [t.token for t in items],
        "token_logprobs": [_finite(t.logprob) for t in items],
        "top_logprobs": [{tok: _finite(lp) for tok, lp in t.top} for t in items],
        "text_offset": offsets,
    }
