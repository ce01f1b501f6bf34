"""The client of the isolation suite (tests/server/test_isolation_routes.py): it counts the
requests and checks each answer's citations and stated facts against the caller's records."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from retrieval.records import Record
from retrieval.store import RetrievalStore
from retrieval.writes import validate_row
from tests.server.conftest import OTHER_TENANT, TENANT, LiveServer

CUSTOMERS = ("C00001", "C00002")


@dataclass
class Audit:
    """Every request sent, and every leak seen (a leak also fails its test)."""

    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Tenants:
    server: LiveServer
    store: RetrievalStore
    audit: Audit

    def key(self, tenant: str) -> str:
        return self.server.infer_key if tenant == TENANT else self.server.other_tenant_key

    def post(self, tenant: str, path: str, body: Any) -> httpx.Response:
        with self.audit.lock:
            self.audit.requests += 1
        with self.server.client(self.key(tenant)) as client:
            return client.post(path, json=body)

    def post_all(self, sent: list[tuple[str, str, Any]]) -> list[httpx.Response]:
        """At once, so the engine batches them (one e-mail draft alone takes 15-25 s here)."""
        with ThreadPoolExecutor(max_workers=len(sent)) as pool:
            return list(pool.map(lambda s: self.post(*s), sent))

    def facts(self, tenant: str, customer: str, ids: bool = True) -> set[str]:
        """What a draft could state of this customer: names, contacts, amounts (and ids)."""
        out: set[str] = set()
        for record in self.store.records(tenant, customer, None):
            if ids:
                out.add(record.record_id)
            _collect(record.model_dump(), out)
        return out

    def forbidden(self, tenant: str, customer: str) -> set[str]:
        """Facts of the other tenant's same-id customer that the caller's tenant does not
        share, and the sibling customer's names, contacts and amounts (not its invoice ids:
        a small model invents invoice numbers of the caller's own series)."""
        other = OTHER_TENANT if tenant == TENANT else TENANT
        sibling = next(c for c in CUSTOMERS if c != customer)
        own_tenant = set().union(*(self.facts(tenant, c) for c in CUSTOMERS))
        foreign = self.facts(other, customer) - own_tenant
        return foreign | (self.facts(tenant, sibling, ids=False) - self.facts(tenant, customer))

    def check(self, tenant: str, customer: str, request: Any, response: httpx.Response) -> None:
        """Citations are the caller's own records; the answer states no forbidden fact (one
        the request itself carries does not count)."""
        assert response.status_code == 200, response.text
        body = response.json()
        cites = list(body.get("citations") or [])
        cites += body.get("grounding", {}).get("dropped_citations", [])
        for item in body.get("data", []):
            cites += item["citations"]
        assert cites, "no citations: nothing was checked"
        for cite in cites:
            own = self.store.get_record(tenant, cite["type"], cite["record_id"])
            owner = getattr(own, "customer_id", None)
            if own is None or owner != customer or own.version != cite["version"]:
                self.audit.leaks.append(f"{tenant}/{customer}: cited {cite['id']}")
        sent = json.dumps(request)
        text = json.dumps(body, ensure_ascii=False)
        for fact in self.forbidden(tenant, customer):
            if states(text, fact) and not states(sent, fact):
                self.audit.leaks.append(f"{tenant}/{customer}: stated {fact!r}")
        assert not self.audit.leaks, self.audit.leaks


def states(text: str, fact: str) -> bool:
    """The fact as a whole token: N-2 is not in N-21, 50,000.00 not in 250,000.00."""
    return re.search(rf"(?<![\w.,-]){re.escape(fact)}(?![\w-]|[.,]\d)", text) is not None


def _collect(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("name", "collector", "email", "phone"):
                out.add(str(item))
            else:
                _collect(item, out)
    elif isinstance(value, list):
        for item in value:
            _collect(item, out)
    elif isinstance(value, Decimal) and value >= 100:
        out.update({f"{value:.2f}", f"{value:,.2f}"})


def foreign_row(record: Record, **ids: str) -> Record:
    row = record.model_dump(mode="json") | {"record_type": record.record_type, **ids}
    return validate_row(row, None)
