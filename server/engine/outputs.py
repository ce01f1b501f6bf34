"""vLLM's request outputs as the engine protocol's deltas (no vLLM import: duck-typed)."""

from __future__ import annotations

from typing import Any

from server.engine.protocol import CompletionDelta, SamplingConfig, TokenLogprob


def to_delta(c: Any, sampling: SamplingConfig) -> CompletionDelta:
    """One vLLM CompletionOutput delta as the protocol's CompletionDelta."""
    logprobs: list[TokenLogprob] = []
    if c.logprobs:
        for token_id, entries in zip(c.token_ids, c.logprobs, strict=False):
            chosen = entries.get(token_id) or next(iter(entries.values()))
            top = _top(entries, sampling)
            logprobs.append(
                TokenLogprob(
                    token=chosen.decoded_token or "",
                    logprob=float(chosen.logprob),
                    top=tuple((e.decoded_token or "", float(e.logprob)) for _, e in top),
                    top_ids=tuple(i for i, _ in top),
                )
            )
    return CompletionDelta(
        index=c.index,
        text=c.text,
        num_new_tokens=len(c.token_ids),
        logprobs=logprobs,
        finish_reason=c.finish_reason,
    )


def _top(entries: dict[int, Any], sampling: SamplingConfig) -> list[tuple[int, Any]]:
    if sampling.logprob_token_ids:
        wanted = set(sampling.logprob_token_ids)
        return [(i, e) for i, e in entries.items() if i in wanted]
    # The sampled token is always included, even when it ranks below the top k.
    k = sampling.logprobs or 0
    ranked = [(i, e) for i, e in entries.items() if e.rank is not None and e.rank <= k]
    return sorted(ranked, key=lambda ie: ie[1].rank)
