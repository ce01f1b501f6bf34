"""Local BM25-style sparse vectors (no model download).

Documents get BM25 term-frequency weights; the query gets weight 1 per term; Qdrant's
``Modifier.IDF`` on the sparse vector supplies the IDF half at query time.  Terms are hashed
to 31-bit indices, so no vocabulary has to be stored or shared.
"""

from __future__ import annotations

import re
from collections import Counter
from hashlib import blake2b

K1 = 1.2
B = 0.75
AVG_DOC_LEN = 40.0

_TOKEN = re.compile(r"[a-z0-9]+(?:[-/._][a-z0-9]+)*")
_PART = re.compile(r"[a-z0-9]+")
_STOP_TEXT = (
    "a an and are as at be by for from has have in is it its of on or the to was were with "
    "this that these those we you our your they their i me my he she his her them not no "
    "do does did can could should would will shall may about into than then there what "
    "which who whom when where why how all any"
)
STOPWORDS = frozenset(_STOP_TEXT.split())


def tokenize(text: str) -> list[str]:
    """Lowercased terms; an id like ``INV-10023`` yields ``inv-10023``, ``inv`` and ``10023``."""
    terms: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        tok = match.group(0).strip("._-/")
        if not tok:
            continue
        parts = _PART.findall(tok)
        if len(parts) > 1:
            terms.append(tok)
            terms.extend(p for p in parts if p not in STOPWORDS)
        elif tok not in STOPWORDS:
            terms.append(tok)
    return terms


def term_index(term: str) -> int:
    return int.from_bytes(blake2b(term.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF


def doc_vector(text: str) -> tuple[list[int], list[float]]:
    terms = tokenize(text)
    counts = Counter(term_index(t) for t in terms)
    norm = K1 * (1 - B + B * len(terms) / AVG_DOC_LEN)
    indices = sorted(counts)
    return indices, [counts[i] * (K1 + 1) / (counts[i] + norm) for i in indices]


def query_vector(text: str) -> tuple[list[int], list[float]]:
    indices = sorted({term_index(t) for t in tokenize(text)})
    return indices, [1.0] * len(indices)


def sparse_doc_fn(texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    """Batch form with LlamaIndex's ``SparseEncoderCallable`` signature."""
    pairs = [doc_vector(t) for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def sparse_query_fn(texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    pairs = [query_vector(t) for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]
