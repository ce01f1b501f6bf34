"""Records to LlamaIndex ``TextNode`` chunks with the filterable payload."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from retrieval.citations import doc_uuid, point_uuid
from retrieval.records import Record

CHUNK_WORDS = 160
#: chunks of at most CHUNK_WORDS words, cut at sentence ends, overlapping by an eighth
SPLITTER = SentenceSplitter(
    chunk_size=CHUNK_WORDS, chunk_overlap=CHUNK_WORDS // 8, tokenizer=str.split
)


def content_hash(record: Record) -> str:
    body = record.model_dump(mode="json", by_alias=True, exclude={"updated_at"})
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


def record_nodes(record: Record) -> tuple[list[TextNode], list[str | None]]:
    """The chunks of one record and, per chunk, the text to embed densely (None: sparse only)."""
    parts = SPLITTER.split_text(record.text()) or [record.text()]
    dense_one = record.dense_text() if record.dense else None
    doc = doc_uuid(record.tenant_id, record.record_type, record.record_id)
    base: dict[str, Any] = {
        "tenant_id": record.tenant_id,
        "record_type": record.record_type,
        "record_id": record.record_id,
        "version": record.version,
        "n_chunks": len(parts),
        "content_hash": content_hash(record),
        "citation": record.citation,
        "invoice_ids": record.related_invoice_ids(),
        "facts": record.facts(),
    }
    if record.owner_customer_id:
        base["customer_id"] = record.owner_customer_id
    if record.updated_at:
        base["updated_at"] = record.updated_at.isoformat()
    for key in ("status", "po_number"):
        value = getattr(record, key, None)
        if value:
            base[key] = str(value)  # a status enum is stored as its plain value
    nodes, dense_texts = [], []
    for i, part in enumerate(parts):
        meta = {**base, "chunk": i}
        if i == 0:
            meta["record"] = record.model_dump(mode="json", by_alias=True, exclude_none=True)
        node = TextNode(
            id_=point_uuid(record.tenant_id, record.record_type, record.record_id, i),
            text=part,
            metadata=meta,
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc)},
        )
        nodes.append(node)
        if record.dense:
            dense_texts.append(dense_one if len(parts) == 1 else part)
        else:
            dense_texts.append(None)
    return nodes, dense_texts
