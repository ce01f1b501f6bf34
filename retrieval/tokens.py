"""Token counting for context budgets: the base model's tokenizer, or a safe estimate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from retrieval.errors import ConfigError

TokenCounter = Callable[[str], int]
#: a word counts one token per 4 characters begun, a punctuation mark one
_PIECE = re.compile(r"\w{1,4}|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """Over-estimates BPE counts for English and numbers: words count 1 per 4 chars, min 1."""
    return len(_PIECE.findall(text))


def tokenizer_counter(tokenizer_path: Path) -> TokenCounter:
    """Counter backed by a Hugging Face tokenizer folder (loaded offline)."""
    from transformers import AutoTokenizer

    path = Path(tokenizer_path)
    if not path.is_dir():
        raise ConfigError(f"tokenizer folder not found: {path}")
    tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)

    def count(text: str) -> int:
        return len(tok.encode(text, add_special_tokens=False))

    return count


def make_token_counter(tokenizer_path: Path | None) -> TokenCounter:
    if tokenizer_path is None:
        return estimate_tokens
    return tokenizer_counter(tokenizer_path)
