"""Near-duplicate detection: word n-gram shingles, MinHash with LSH banding for candidates,
exact Jaccard to confirm."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

NUM_PERM = 64
BANDS = 16
_MASK = (1 << 61) - 1


def normalize(text: str, mask_digits: bool) -> str:
    text = text.lower()
    if mask_digits:
        text = re.sub(r"\d+", "0", text)
    return re.sub(r"[^\w<>]+", " ", text).strip()


def shingles(text: str, n: int = 3, mask_digits: bool = True) -> frozenset[str]:
    words = normalize(text, mask_digits).split()
    if len(words) < n:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _h(s: str, seed: int) -> int:
    digest = hashlib.blake2b(s.encode(), digest_size=8, salt=seed.to_bytes(16, "little")).digest()
    return int.from_bytes(digest, "little") & _MASK


def minhash(sh: frozenset[str]) -> tuple[int, ...]:
    return tuple(min(_h(s, seed) for s in sh) for seed in range(NUM_PERM))


@dataclass
class NearDupPair:
    a: int
    b: int
    similarity: float


def near_duplicate_pairs(
    texts: list[str], threshold: float, mask_digits: bool = True
) -> list[NearDupPair]:
    """All pairs (a < b) whose shingle Jaccard is at least threshold."""
    shs = [shingles(t, mask_digits=mask_digits) for t in texts]
    rows = NUM_PERM // BANDS
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for i, sh in enumerate(shs):
        sig = minhash(sh)
        for band in range(BANDS):
            buckets[(band, sig[band * rows : (band + 1) * rows])].append(i)
    seen: set[tuple[int, int]] = set()
    out = []
    for members in buckets.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pair = (members[x], members[y])
                if pair in seen:
                    continue
                seen.add(pair)
                sim = jaccard(shs[pair[0]], shs[pair[1]])
                if sim >= threshold:
                    out.append(NearDupPair(pair[0], pair[1], sim))
    return out


def components(n: int, pairs: list[NearDupPair]) -> list[list[int]]:
    """Connected groups of near-duplicates (union-find)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for p in pairs:
        parent[find(p.a)] = find(p.b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return list(groups.values())
