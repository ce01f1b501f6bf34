"""Embedded mode only: scoped reads look at one tenant's (and customer's) points, not all.

qdrant-client's local mode (``QdrantClient(path=...)`` and ``:memory:``) ignores payload
indexes: every filtered read checks every point against the filter in Python, and a sparse
query scores every sparse vector in a Python loop, so each read costs time linear in the
whole collection (seconds at 100,000 chunks).  Every read of this layer is scoped to one
tenant, almost always to one customer, which is a few dozen points.

``LocalScopeIndex`` keeps, in process, the collection's internal slots per tenant, per
(tenant, customer), per (tenant, record type) and per (tenant, customer, record type), and
answers a scoped read by running qdrant-client's own local code (filters, dense and sparse
scoring, IDF, fusion, scroll order) on a read-only ``ScopeView`` holding only those slots.
The view keeps the collection-wide IDF statistics, so scores are those of the whole
collection.  The complete filter, tenant condition included, is still evaluated on the view:
the index only narrows which points are looked at and never decides scope.
A Qdrant server uses its payload indexes and never comes here; neither does any write.

The index follows the collection: new slots are picked up on the next read, and the store
calls ``refresh`` with the point ids it wrote, so an update that moves a point to another
customer re-files it.  Deleted points keep their slot (local mode only flags them) and the
view skips them as Qdrant does.  It relies on ``LocalCollection`` internals of the pinned
qdrant-client (<1.16); if they are missing, ``attach`` returns None and reads take the plain,
slow path.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client.http import models as qm

log = logging.getLogger(__name__)

try:  # pragma: no cover - import guard for other qdrant-client layouts
    from qdrant_client.local.local_collection import LocalCollection
    from qdrant_client.local.qdrant_local import QdrantLocal
except ImportError:  # pragma: no cover
    LocalCollection = None  # type: ignore[assignment,misc]
    QdrantLocal = None  # type: ignore[assignment,misc]

#: LocalCollection attributes a view re-slices (all per-slot state of the collection)
_SLOT_STATE = (
    "ids", "ids_inv", "payload", "deleted", "deleted_per_vector", "vectors", "sparse_vectors",
    "multivectors", "sparse_vectors_idf", "storage",
)  # fmt: skip

Key = tuple[str, ...]
Source = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # tenants, customers, types


class _ScopeViewBase:
    """Marker; the real class is built below only when qdrant-client has ``LocalCollection``."""


if LocalCollection is not None:

    class ScopeView(LocalCollection):  # type: ignore[misc,valid-type]
        """A read-only ``LocalCollection`` over some slots of another one.

        Only ``count()`` without a filter differs from a plain collection: it is the number
        of live points of the whole collection, which is what Qdrant's IDF uses.
        """

        _total: int = 0

        def count(self, count_filter: Any = None) -> qm.CountResult:
            if count_filter is None:
                return qm.CountResult(count=self._total)
            return super().count(count_filter)

        def _read_only(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("ScopeView is read-only")

        upsert = delete = set_payload = overwrite_payload = delete_payload = _read_only
        clear_payload = update_vectors = delete_vectors = batch_update_points = _read_only

else:  # pragma: no cover
    ScopeView = _ScopeViewBase  # type: ignore[assignment,misc]


class LocalScopeIndex:
    """Slots of one local collection by tenant, customer and record type.

    Not thread-safe by itself: the store calls it under the lock that serialises the
    embedded client.
    """

    def __init__(self, local: Any, collection: str) -> None:
        self._local = local
        self._name = collection
        self._coll: Any = None
        self._scanned = 0
        self._slot_src: list[Source] = []  # per slot: what its keys derive from (compact)
        self._groups: dict[Key, list[int]] = {}

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def attach(cls, client: QdrantClient, collection: str) -> LocalScopeIndex | None:
        """An index for an embedded or in-memory client, else None (server, or unknown layout)."""
        local = getattr(client, "_client", None)
        if QdrantLocal is None or not isinstance(local, QdrantLocal):
            return None
        index = cls(local, collection)
        try:
            coll = index._collection()
        except Exception:  # pragma: no cover - defensive
            coll = None
        if coll is None or not all(hasattr(coll, a) for a in _SLOT_STATE):
            log.warning("qdrant-client local internals not recognised: scoped reads scan all")
            return None
        return index

    def _collection(self) -> Any:
        # _get_collection raises once the client is closed, as the client's own calls do
        coll = self._local._get_collection(self._name)
        if coll is not self._coll:  # first use, or the collection was recreated
            self._coll = coll
            self._scanned = 0
            self._slot_src = []
            self._groups = {}
        return coll

    # ---- maintenance --------------------------------------------------------------------
    def _catch_up(self, coll: Any) -> None:
        n = len(coll.payload)
        for slot in range(self._scanned, n):
            src = _source(coll.payload[slot])
            self._slot_src.append(src)
            for key in _keys(src):
                self._groups.setdefault(key, []).append(slot)  # slots arrive in order
        self._scanned = n

    def refresh(self, point_ids: Iterable[Any]) -> None:
        """Re-file points written in place (an update may change a point's customer)."""
        coll = self._collection()
        self._catch_up(coll)
        for pid in point_ids:
            slot = coll.ids.get(pid)
            if slot is None or slot >= self._scanned:
                continue
            new = _source(coll.payload[slot])
            old = self._slot_src[slot]
            if new == old:
                continue
            for key in _keys(old):
                group = self._groups.get(key)
                if group is not None:
                    i = bisect.bisect_left(group, slot)
                    if i < len(group) and group[i] == slot:
                        del group[i]
            for key in _keys(new):
                bisect.insort(self._groups.setdefault(key, []), slot)
            self._slot_src[slot] = new

    # ---- reads --------------------------------------------------------------------------
    def slots(
        self, tenant_id: str, customer_id: str | None = None,
        record_types: Sequence[str] | None = None,
    ) -> list[int]:  # fmt: skip
        """Ascending slots that may match the scope (a superset; the filter still decides)."""
        coll = self._collection()
        self._catch_up(coll)
        if not record_types:
            if customer_id is not None:
                return self._groups.get(("c", tenant_id, customer_id), [])
            return self._groups.get(("t", tenant_id), [])
        merged: set[int] = set()
        for rtype in record_types:
            key: Key = (
                ("r", tenant_id, rtype) if customer_id is None
                else ("cr", tenant_id, customer_id, rtype)
            )  # fmt: skip
            merged.update(self._groups.get(key, []))
        return sorted(merged)

    def view(
        self, tenant_id: str, customer_id: str | None = None,
        record_types: Sequence[str] | None = None,
    ) -> Any:  # fmt: skip
        """A read-only collection of the scope's candidate slots, queried like the real one."""
        coll = self._collection()
        return make_view(coll, self.slots(tenant_id, customer_id, record_types))


def _values(value: Any) -> tuple[str, ...]:
    """Keyword values a match condition can see (a list payload matches on any element)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _source(payload: dict[str, Any]) -> Source:
    return (
        _values(payload.get("tenant_id")),
        _values(payload.get("customer_id")),
        _values(payload.get("record_type")),
    )


def _keys(src: Source) -> list[Key]:
    keys: list[Key] = []
    tenants, customers, types = src
    for tenant in tenants:
        keys.append(("t", tenant))
        keys.extend(("c", tenant, c) for c in customers)
        keys.extend(("r", tenant, r) for r in types)
        keys.extend(("cr", tenant, c, r) for c in customers for r in types)
    return keys


def make_view(coll: Any, slots: Sequence[int]) -> Any:
    """A ``ScopeView`` over ``slots`` of ``coll`` (shares payload dicts and IDF statistics)."""
    view = ScopeView.__new__(ScopeView)
    view.__dict__.update(coll.__dict__)
    idx = np.asarray(slots, dtype=np.int64)
    view.ids_inv = [coll.ids_inv[i] for i in slots]
    view.ids = {pid: j for j, pid in enumerate(view.ids_inv)}
    view.payload = [coll.payload[i] for i in slots]
    view.deleted = coll.deleted[idx]
    view.deleted_per_vector = {k: a[idx] for k, a in coll.deleted_per_vector.items()}
    view.vectors = {k: a[idx] for k, a in coll.vectors.items()}
    view.sparse_vectors = {k: [a[i] for i in slots] for k, a in coll.sparse_vectors.items()}
    view.multivectors = {k: [a[i] for i in slots] for k, a in coll.multivectors.items()}
    view.storage = None
    view.persistent = False
    view._total = int(np.count_nonzero(~coll.deleted[: len(coll.payload)]))
    return view
