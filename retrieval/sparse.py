"""Local BM25-style sparse vectors (no model download).

Documents get BM25 term-frequency weights; the query gets weight 1 per term; Qdrant's
``Modifier.IDF`` on the sparse vector supplies the IDF half at query time.  Terms are hashed
to 31-bit indices, so no vocabulary has to be stored or shared.
"""

from __future__ import annotations

import re
from collections import Counter
from hashlib import blake2b

from retrieval.glossary import EXPANSION_WEIGHT, expansions

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


# Amounts as people type them: 1.234,50 (de), 1,234.50 (en), 1 234,50 (fr), 1234,50.
_AMOUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:([.,\s\u00a0\u202f])\d{3})(?:\2\d{3})*|\d+)([.,])(\d{1,2})(?![\d])"
)


def canonical_amounts(text: str) -> list[str]:
    """The amounts of a query as the records write them (``1234.50``), for the ones written
    with other separators; a thousands separator must differ from the decimal one."""
    out = []
    for m in _AMOUNT.finditer(text):
        whole, sep, dec, cents = m.group(1), m.group(2), m.group(3), m.group(4)
        if sep is not None and sep == dec:
            continue  # 1.234.567 is not an amount with cents
        amount = f"{''.join(c for c in whole if c.isdigit())}.{cents.ljust(2, '0')}"
        if amount != m.group(0):
            out.append(amount)
    return out


def query_vector(text: str) -> tuple[list[int], list[float]]:
    """Query terms, plus each amount in the records' own notation, plus (at a lower weight)
    the record words of the AR concepts the query names (retrieval.glossary)."""
    weights = {term_index(t): 1.0 for t in tokenize(" ".join([text, *canonical_amounts(text)]))}
    for term in tokenize(" ".join(expansions(text))):
        weights.setdefault(term_index(term), EXPANSION_WEIGHT)
    indices = sorted(weights)
    return indices, [weights[i] for i in indices]


def sparse_doc_fn(texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    """Batch form with LlamaIndex's ``SparseEncoderCallable`` signature."""
    pairs = [doc_vector(t) for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def sparse_query_fn(texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
    pairs = [query_vector(t) for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]
