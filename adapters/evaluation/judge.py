"""Optional judge model through any OpenAI-compatible endpoint (off by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

RUBRIC = (
    "You grade accounts receivable e-mails. Given the facts (context), the e-mail type and a "
    "draft, answer with one digit from 1 (unusable) to 5 (ready to send), judging accuracy "
    "against the facts, tone, clarity and whether the e-mail does what its type requires."
)


@dataclass
class JudgeConfig:
    base_url: str  # e.g. http://127.0.0.1:8001/v1
    model: str
    api_key: str | None = None
    max_examples: int = 40
    timeout_s: float = 60.0


async def judge_one(
    client: httpx.AsyncClient, cfg: JudgeConfig, context: str, email_type: str, draft: str
) -> int | None:
    body = {
        "model": cfg.model,
        "temperature": 0,
        "max_tokens": 4,
        "messages": [
            {"role": "system", "content": RUBRIC},
            {
                "role": "user",
                "content": f"Email type: {email_type}\n\n{context}\n\nDraft:\n{draft}",
            },
        ],
    }
    headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
    resp = await client.post(
        f"{cfg.base_url.rstrip('/')}/chat/completions", json=body, headers=headers
    )
    resp.raise_for_status()
    text = resp.json()["choices"][0]["message"]["content"]
    m = re.search(r"[1-5]", text)
    return int(m.group(0)) if m else None


async def judge_emails(
    cfg: JudgeConfig, rows: list[dict[str, Any]], drafts: list[str]
) -> dict[str, Any]:
    scores: list[int] = []
    failures = 0
    async with httpx.AsyncClient(timeout=cfg.timeout_s) as client:
        for row, draft in list(zip(rows, drafts, strict=True))[: cfg.max_examples]:
            try:
                score = await judge_one(client, cfg, row["context"], row["email_type"], draft)
            except (httpx.HTTPError, KeyError, ValueError):
                score = None
            if score is None:
                failures += 1
            else:
                scores.append(score)
    mean = round(sum(scores) / len(scores), 3) if scores else None
    return {"model": cfg.model, "n": len(scores), "failures": failures, "mean_score": mean}
