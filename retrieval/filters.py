"""Tenant-scoped Qdrant filters: every read in this package is built here."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qdrant_client.http import models as qm

from retrieval.errors import InvalidRequestError

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,63}$")
#: payload keys a caller may narrow on; tenant and customer scope come only from identity
USER_FILTER_KEYS = frozenset({"record_type", "record_id", "status", "invoice_ids", "po_number"})


def check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidRequestError(f"invalid {what}")
    return value


def scope_filter(
    tenant_id: str,
    customer_id: str | None = None,
    record_types: Sequence[str] | None = None,
    where: Mapping[str, str | Iterable[str]] | None = None,
) -> qm.Filter:
    """``tenant_id`` (required) AND optional customer, record types and caller filters."""
    must: list[qm.Condition] = [_match("tenant_id", check_id(tenant_id, "tenant id"))]
    if customer_id is not None:
        must.append(_match("customer_id", check_id(customer_id, "customer id")))
    if record_types:
        must.append(_match("record_type", list(record_types)))
    for key, value in (where or {}).items():
        if key not in USER_FILTER_KEYS:
            raise InvalidRequestError(f"filter on {key!r} is not allowed")
        must.append(_match(key, value if isinstance(value, str) else list(value)))
    return qm.Filter(must=must)


def _match(key: str, value: str | list[str]) -> qm.FieldCondition:
    if isinstance(value, str):
        return qm.FieldCondition(key=key, match=qm.MatchValue(value=value))
    values = [str(v) for v in value]
    if not values:
        raise InvalidRequestError(f"empty filter list for {key!r}")
    return qm.FieldCondition(key=key, match=qm.MatchAny(any=values))


def in_scope(payload: Mapping[str, Any], tenant_id: str, customer_id: str | None) -> bool:
    """Defence in depth: a result outside the filter's scope is dropped (and logged)."""
    if payload.get("tenant_id") != tenant_id:
        log.error("scope violation blocked: a point outside the tenant filter was returned")
        return False
    return customer_id is None or payload.get("customer_id") == customer_id
