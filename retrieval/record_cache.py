"""Parsed records by their stored version: a context assembly reads about 40 records of one
customer, and validating each payload again costs about a millisecond in all."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

from retrieval.records import Record
from retrieval.results import record_of


class RecordCache:
    """Bounded LRU of frozen records keyed by what identifies a stored version (tenant, type,
    id, version and content hash), so a new version or a changed body is parsed afresh.
    An erasure clears it: no erased record stays in memory."""

    def __init__(self, max_items: int = 50_000) -> None:
        self._items: LRUCache[tuple[Any, ...], Record] = LRUCache(maxsize=max_items)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def record(self, payload: Mapping[str, Any]) -> Record:
        digest = payload.get("content_hash")
        if not digest:
            return record_of(payload)
        key = (payload.get("tenant_id"), payload["record_type"], payload["record_id"],
               payload.get("version"), digest)  # fmt: skip
        with self._lock:
            found = self._items.get(key)
        if found is None:
            found = record_of(payload)
            with self._lock:
                self._items[key] = found
        return found


class ScopeCache:
    """The records of one customer's scope as a context assembly reads them, kept until this
    process writes to that customer (about a third of a new query's assembly was the scroll).

    Only for a backend this process alone writes to (an Edge shard locks its folder): a
    Qdrant server's other writers would leave an entry stale. A read that a write overtook is
    not kept: ``begin`` takes the write generation and ``put`` stores only if it is unchanged.
    Entries are grouped by customer, so a write drops its customer's in one step.
    """

    def __init__(self, max_customers: int = 4096) -> None:
        self._items: LRUCache[tuple[str, str], dict[Any, tuple[Record, ...]]] = LRUCache(
            maxsize=max_customers
        )
        self._generation = 0
        self._lock = threading.Lock()

    def begin(self) -> int:
        with self._lock:
            return self._generation

    def get(self, tenant_id: str, customer_id: str, types: Any) -> list[Record] | None:
        with self._lock:
            found = self._items.get((tenant_id, customer_id), {}).get(types)
        return None if found is None else list(found)

    def put(
        self, tenant_id: str, customer_id: str, types: Any, records: list[Record], generation: int
    ) -> None:
        with self._lock:
            if generation == self._generation:
                entry = self._items.get((tenant_id, customer_id))
                if entry is None:
                    entry = self._items[(tenant_id, customer_id)] = {}
                entry[types] = tuple(records)

    def invalidate(self, tenant_id: str, customer_id: str | None) -> None:
        """Drop the customer's entries (every entry of the tenant when ``customer_id`` is None:
        a tenant-wide record, rare)."""
        with self._lock:
            self._generation += 1
            if customer_id is not None:
                self._items.pop((tenant_id, customer_id), None)
                return
            for key in [k for k in self._items if k[0] == tenant_id]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._items.clear()
