"""Schemathesis against the live server: generated requests on every route give no 5xx, and
every status, content type, header and body is one the OpenAPI document declares.

The document is the app's own; the test narrows it so generated cases get past the cheap
refusals and run the engine: `model` is a served name (or one unknown name), customer,
invoice and dispute ids are real demo ids (or unknown ones), generation is capped at a few
tokens. The cases are derandomized, so a run is reproducible.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from schemathesis import checks
from schemathesis.schemas import APIOperation

from adapters.registry import Registry
from server.app import create_app
from server.settings import Settings
from tests.server.conftest import LiveServer
from tests.server.fake_engine import FakeEngine

pytestmark = pytest.mark.engine

# Cases per operation, 1,550 in all; a route without parameters has one case to generate.
BUDGET = {
    ("POST", "/v1/chat/completions"): 200,
    ("POST", "/v1/completions"): 300,
    ("POST", "/v1/disputes/classify"): 200,
    (
        "POST",
        "/v1/ar/emails",
    ): 3,  # up to 2 x 320 tokens each (tests/server/test_isolation_routes.py drafts more)
    ("POST", "/v1/adapters"): 200,
    ("DELETE", "/v1/adapters/{name}"): 150,
    # the data routes: the admin key has no `data` scope, so no case writes or erases (403)
    ("POST", "/v1/records"): 50,
    ("DELETE", "/v1/customers/{customer_id}"): 50,
    ("GET", "/v1/customers/{customer_id}/context"): 100,
    ("GET", "/v1/adapters"): 1,
    ("GET", "/v1/audit"): 50,
    # the serving state: generated names and ids do not exist, so nothing changes (404s)
    ("GET", "/v1/routes"): 1,
    ("PUT", "/v1/routes"): 60,
    ("DELETE", "/v1/routes/{task}/{tenant}"): 30,
    ("PUT", "/v1/adapters/{name}/tenants"): 30,
    ("GET", "/v1/rollouts"): 1,
    ("POST", "/v1/rollouts"): 60,
    ("GET", "/v1/rollouts/{rollout_id}"): 20,
    ("POST", "/v1/rollouts/{rollout_id}/promote"): 20,
    ("POST", "/v1/rollouts/{rollout_id}/rollback"): 20,
    ("GET", "/v1/models"): 1,
    ("GET", "/health"): 1,
    ("GET", "/ready"): 1,
    ("GET", "/metrics"): 1,
}
MIN_CASES = 1000
GENERATION_PATHS = ("/v1/chat/completions", "/v1/completions", "/v1/disputes/classify")
MAX_TOKENS = 4
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
CUSTOMERS = ["C00001", "C00002", "C99999"]
INVOICES = ["INV-100001", "INV-100005", "INV-100026", "INV-999999"]
DISPUTES = ["DSP-7001", "DSP-7003", "DSP-7006", "DSP-9999"]


def _one_of(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def narrowed_document(models: list[str]) -> dict[str, Any]:
    """The app's document, with the fields narrowed that decide whether a case runs the
    engine (the routes, statuses and response schemas are left as they are)."""
    doc = copy.deepcopy(create_app(Settings(), FakeEngine()).openapi())  # type: ignore[arg-type]
    schemas = doc["components"]["schemas"]
    tokens = {"type": "integer", "minimum": 1, "maximum": MAX_TOKENS}
    for name in ("ChatCompletionRequest", "CompletionRequest"):
        props = schemas[name]["properties"]
        props["model"] = _one_of([*models, "no-such-model"])
        props["max_tokens"] = tokens  # required below: unset, it is the context's remainder
        props["n"] = {"type": "integer", "minimum": 1, "maximum": 2}
        schemas[name]["required"] = [*schemas[name].get("required", []), "max_tokens"]
    schemas["ChatCompletionRequest"]["properties"]["max_completion_tokens"] = _nullable(tokens)
    ids = _nullable({"type": "array", "items": _one_of(INVOICES), "maxItems": 2})
    rag = schemas["RagOptions"]["properties"]
    rag["customer_id"], rag["invoice_ids"] = _one_of(CUSTOMERS), ids
    email = schemas["EmailRequest"]["properties"]
    email["customer_id"], email["invoice_ids"] = _one_of(CUSTOMERS), ids
    email["dispute_id"] = _nullable(_one_of(DISPUTES))
    text = {"type": "string", "minLength": 1, "maxLength": 200}
    for name in ("ClassifyRequest", "DisputeItem"):
        props = schemas[name]["properties"]
        props["customer_id"] = _nullable(_one_of(CUSTOMERS))
        props["invoice_id"] = _nullable(_one_of(INVOICES))
        props["text"] = text if name == "DisputeItem" else _nullable(text)
    schemas["ClassifyRequest"]["properties"]["items"]["anyOf"][0]["maxItems"] = 4
    return doc


def served_models(live: LiveServer) -> list[str]:
    with live.client(live.admin_key) as client:
        return [m["id"] for m in client.get("/v1/models").json()["data"]]


def _mutates_adapters(case: Any, protected: set[str]) -> bool:
    """A case that would load or unload a served or registered adapter (others need them)."""
    if case.path == "/v1/adapters" and case.method == "POST" and isinstance(case.body, dict):
        ref = str(case.body.get("adapter", ""))
        return ref.partition("@")[0].strip() in protected
    if case.path in ("/v1/adapters/{name}", "/v1/adapters/{name}/tenants"):
        return str((case.path_parameters or {}).get("name", "")) in protected
    # the serving state: a route or a rollout to a served adapter would change later answers
    fields = {("PUT", "/v1/routes"): "adapter", ("POST", "/v1/rollouts"): "candidate"}
    field = fields.get((case.method, case.path))
    if field and isinstance(case.body, dict):
        return str(case.body.get(field, "")).partition("@")[0].strip() in protected
    return False


def _run(
    operation: APIOperation,
    budget: int,
    live: LiveServer,
    protected: set[str],
    seen: Counter[tuple[str, str, int]],
    failures: list[str],
) -> None:
    auth = {"Authorization": f"Bearer {live.admin_key}"}

    @settings(
        max_examples=budget,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(headers=auth))
    def one(case: Any) -> None:
        assume(not _mutates_adapters(case, protected))
        response = case.call(base_url=live.url, timeout=120)
        seen[(operation.method.upper(), operation.path, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # noqa: BLE001 - every failure is listed, the run goes on
            failures.append(f"{operation.label} [{response.status_code}]: {exc}")

    one()


def test_generated_requests_conform_and_never_5xx(live_server: LiveServer) -> None:
    models = served_models(live_server)
    schema = schemathesis.openapi.from_dict(narrowed_document(models))
    # No case loads or unloads an adapter that is served or registered: other tests use them.
    registry = Registry(live_server.app_state.settings.registry_dir)
    protected = {*models, *registry.names(), *live_server.app_state.adapters}
    seen: Counter[tuple[str, str, int]] = Counter()
    failures: list[str] = []
    assert live_server.app_state.rollouts is not None
    generation = live_server.app_state.rollouts.desired.generation
    assert sum(1 for _ in schema.get_all_operations()) == len(BUDGET)  # a new route: budget it
    seconds: dict[tuple[str, str], float] = {}
    for (method, path), budget in BUDGET.items():
        started = time.perf_counter()
        _run(schema[path][method], budget, live_server, protected, seen, failures)
        seconds[(method, path)] = time.perf_counter() - started
    per_route = Counter[tuple[str, str]]()
    for (method, path, _), count in seen.items():
        per_route[(method, path)] += count
    total = sum(per_route.values())
    server_errors = sum(c for (_, _, status), c in seen.items() if status >= 500)
    print(f"\nschemathesis: {total} cases, {server_errors} 5xx, {len(failures)} failed checks")
    for (method, path), count in sorted(per_route.items()):
        statuses = sorted((s, c) for (m, p, s), c in seen.items() if (m, p) == (method, path))
        took = seconds[(method, path)]
        print(f"  {method} {path}: {count} {dict(statuses)} in {took:.0f} s")
    assert not failures, "\n\n".join(failures[:5])
    assert total >= MIN_CASES and server_errors == 0
    for path in GENERATION_PATHS:  # each generation route ran the engine
        assert any(p == path and s == 200 for (_, p, s) in seen), path
    # the server is still up and serves the same models
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        assert client.get("/ready").status_code == 200
    assert served_models(live_server) == models
    assert live_server.app_state.rollouts is not None
    assert live_server.app_state.rollouts.desired.generation == generation  # state unchanged
