"""Tokenize (messages, completion) pairs with the base model's chat template and batch them.

Loss is on the completion tokens only (the assistant turn and its end-of-turn token).
Logits are computed only at the positions that predict completion tokens (the vocabulary
projection is a large share of a small model's compute)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class Encoded:
    input_ids: list[int]
    completion_len: int


def encode(tokenizer: Any, messages: list[dict[str, str]], completion: str) -> Encoded:
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(
        [*messages, {"role": "assistant", "content": completion}], tokenize=False
    )
    if not full.startswith(prompt):
        raise ValueError("chat template does not extend the prompt with the assistant turn")
    answer = full[len(prompt) :].rstrip("\n")  # completion + end-of-turn token
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    return Encoded(p_ids + c_ids, len(c_ids))


@dataclass
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    position_ids: torch.Tensor
    rows: torch.Tensor  # flat (row, column) of each position that predicts a completion token
    cols: torch.Tensor
    targets: torch.Tensor  # the completion token each of those positions predicts

    def to(self, device: str) -> Batch:
        return Batch(
            *(
                t.to(device)
                for t in (
                    self.input_ids,
                    self.attention_mask,
                    self.position_ids,
                    self.rows,
                    self.cols,
                    self.targets,
                )
            )
        )


def collate(items: list[Encoded], pad_id: int) -> Batch:
    """Right-padded (no query row is fully masked, which breaks some attention kernels)."""
    length = max(len(e.input_ids) for e in items)
    ids = torch.full((len(items), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), length), dtype=torch.long)
    rows, cols, targets = [], [], []
    for row, e in enumerate(items):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        mask[row, :n] = 1
        for pos in range(n - e.completion_len, n):
            rows.append(row)
            cols.append(pos - 1)
            targets.append(e.input_ids[pos])
    positions = torch.arange(length).unsqueeze(0).expand(len(items), -1).contiguous()
    return Batch(
        ids, mask, positions, torch.tensor(rows), torch.tensor(cols), torch.tensor(targets)
    )


def make_batches(
    items: list[Encoded], batch_size: int, rng: random.Random | None, pad_id: int
) -> list[Batch]:
    """Similar lengths together (less padding); order shuffled with rng, or kept if None."""
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    chunk = batch_size * 32
    groups: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: len(items[i].input_ids))
        groups += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    if rng is not None:
        rng.shuffle(groups)
    return [collate([items[i] for i in g], pad_id) for g in groups]


def _backbone(model: Any) -> tuple[Any, Any]:
    """(decoder stack, lm_head) of a causal LM, through a PEFT wrapper if there is one."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings()


def completion_loss(model: Any, batch: Batch) -> tuple[torch.Tensor, int]:
    """Mean cross-entropy over completion tokens (logits computed for those positions only),
    and how many tokens it covers."""
    decoder, head = _backbone(model)
    hidden = decoder(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        use_cache=False,
    ).last_hidden_state
    logits = head(hidden[batch.rows, batch.cols]).float()
    loss = torch.nn.functional.cross_entropy(logits, batch.targets)
    return loss, int(batch.targets.numel())
