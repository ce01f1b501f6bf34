"""The OpenAPI document describes every route's response, with enums from the one task list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.tasks import EMAIL_TYPES
from retrieval.taxonomy import DISPUTE_REASONS
from server import errors
from server.api.openapi import ErrorResponse
from server.app import create_app
from server.auth import create_key
from server.settings import Settings
from tests.server.fake_engine import ClassifierEngine, FakeEngine


def openapi() -> dict[str, Any]:
    return create_app(Settings(), FakeEngine()).openapi()  # type: ignore[arg-type]


def test_every_route_declares_its_response() -> None:
    doc = openapi()
    expected = {
        ("get", "/health"): "HealthResponse",
        ("get", "/ready"): "ReadyResponse",
        ("get", "/v1/models"): "ModelList",
        ("post", "/v1/chat/completions"): "ChatCompletionResponse",
        ("post", "/v1/completions"): "CompletionResponse",
        ("get", "/v1/adapters"): "AdapterList",
        ("post", "/v1/adapters"): "AdapterStatusOut",
        ("delete", "/v1/adapters/{name}"): "AdapterDeleted",
        ("get", "/v1/audit"): "AuditList",
        ("get", "/v1/routes"): "RoutingTable",
        ("put", "/v1/routes"): "RoutingTable",
        ("delete", "/v1/routes/{task}/{tenant}"): "RoutingTable",
        ("put", "/v1/adapters/{name}/tenants"): "RoutingTable",
        ("get", "/v1/rollouts"): "RolloutList",
        ("post", "/v1/rollouts"): "RolloutOut",
        ("get", "/v1/rollouts/{rollout_id}"): "RolloutOut",
        ("post", "/v1/rollouts/{rollout_id}/promote"): "RolloutOut",
        ("post", "/v1/rollouts/{rollout_id}/rollback"): "RolloutOut",
        ("post", "/v1/ar/emails"): "EmailResponse",
        ("post", "/v1/disputes/classify"): "ClassifyResponse",
        ("post", "/v1/records"): "RecordsResponse",
        ("delete", "/v1/customers/{customer_id}"): "ErasureResponse",
        ("get", "/v1/customers/{customer_id}/context"): "ContextResponse",
    }
    declared = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            content = op["responses"]["200"]["content"]
            if path == "/metrics":
                assert set(content) == {"text/plain"}
                continue
            declared[(method, path)] = content["application/json"]["schema"]["$ref"].split("/")[-1]
    assert declared == expected
    schemas = doc["components"]["schemas"]
    email = schemas["EmailResponse"]["properties"]
    assert set(email) == {
        "id",
        "object",
        "subject",
        "body",
        "email_type",
        "citations",
        "grounding",
        "adapter",
        "usage",
        "timings_ms",
    }
    assert set(schemas["Grounding"]["properties"]) == {
        "grounded",
        "checked_facts",
        "unsupported_facts",
        "misattributed_facts",
        "disputed_dunned",
        "type_issues",
        "language",
        "language_ok",
        "unknown_fields",
        "literal_facts",
        "instructions",
        "attempts",
        "missing_elements",
        "dropped_citations",
    }
    assert set(schemas["EmailUsage"]["properties"]) == {
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "context_tokens",
    }
    assert set(schemas["EmailTimings"]["properties"]) == {"retrieval", "generation", "total"}


def test_enums_come_from_the_task_list_and_the_taxonomy() -> None:
    schemas = openapi()["components"]["schemas"]
    assert tuple(schemas["EmailType"]["enum"]) == tuple(EMAIL_TYPES)
    assert tuple(schemas["DisputeReason"]["enum"]) == DISPUTE_REASONS
    label = schemas["Classification"]["properties"]["label"]
    assert label == {"$ref": "#/components/schemas/DisputeReason"}


KEYED = {"401", "403"}
EVERY = {"413", "431"}
GENERATION = {"400", "404", "413", "429", "503"}
DECLARED_ERRORS = {
    ("get", "/health"): EVERY,
    ("get", "/ready"): EVERY | {"503"},
    ("get", "/metrics"): EVERY | KEYED,
    ("get", "/v1/models"): EVERY | KEYED | {"503"},
    ("post", "/v1/chat/completions"): EVERY | KEYED | GENERATION,
    ("post", "/v1/completions"): EVERY | KEYED | GENERATION,
    ("get", "/v1/adapters"): EVERY | KEYED,
    ("post", "/v1/adapters"): EVERY | KEYED | {"400", "404", "422", "503"},
    ("delete", "/v1/adapters/{name}"): EVERY | KEYED | {"400", "404", "503"},
    ("post", "/v1/ar/emails"): EVERY | KEYED | GENERATION | {"422"},
    ("post", "/v1/disputes/classify"): EVERY | KEYED | GENERATION,
    ("post", "/v1/records"): EVERY | KEYED | {"400", "503"},
    ("delete", "/v1/customers/{customer_id}"): EVERY | KEYED | {"400", "404", "503"},
    ("get", "/v1/customers/{customer_id}/context"): EVERY | KEYED | {"400", "404", "503"},
    ("get", "/v1/audit"): EVERY | KEYED | {"400", "503"},
    ("get", "/v1/routes"): EVERY | KEYED | {"503"},
    ("get", "/v1/rollouts"): EVERY | KEYED | {"503"},
    ("get", "/v1/rollouts/{rollout_id}"): EVERY | KEYED | {"404", "503"},
    **{
        change: EVERY | KEYED | {"400", "404", "409", "422", "503"}
        for change in (
            ("put", "/v1/routes"),
            ("delete", "/v1/routes/{task}/{tenant}"),
            ("put", "/v1/adapters/{name}/tenants"),
            ("post", "/v1/rollouts"),
            ("post", "/v1/rollouts/{rollout_id}/promote"),
            ("post", "/v1/rollouts/{rollout_id}/rollback"),
        )
    },
}
TEMPLATES = {
    "/v1/adapters/x": "/v1/adapters/{name}",
    "/v1/customers/C1": "/v1/customers/{customer_id}",
    "/v1/customers/C1/context": "/v1/customers/{customer_id}/context",
    "/v1/routes/x/y": "/v1/routes/{task}/{tenant}",
    "/v1/adapters/x/tenants": "/v1/adapters/{name}/tenants",
    "/v1/rollouts/x": "/v1/rollouts/{rollout_id}",
    "/v1/rollouts/x/promote": "/v1/rollouts/{rollout_id}/promote",
    "/v1/rollouts/x/rollback": "/v1/rollouts/{rollout_id}/rollback",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def test_each_route_declares_the_errors_it_returns_with_the_error_model() -> None:
    doc = openapi()
    declared = {
        (method, path): {s for s in op["responses"] if s != "200"}
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }
    assert declared == DECLARED_ERRORS
    for (method, path), statuses in DECLARED_ERRORS.items():
        for status in statuses:
            response = doc["paths"][path][method]["responses"][status]
            schema = response["content"]["application/json"]["schema"]
            if (path, status) == ("/ready", "503"):
                # the probe's own report, with the error object
                ref = schema["$ref"].split("/")[-1]
                error = doc["components"]["schemas"][ref]["properties"]["error"]["$ref"]
                props = doc["components"]["schemas"][error.split("/")[-1]]["properties"]
                assert set(props) == set(doc["components"]["schemas"]["ErrorDetail"]["properties"])
            else:
                assert schema == ERROR_REF, (method, path, status)
            assert ("Retry-After" in response.get("headers", {})) == (status in ("429", "503"))


def test_fastapis_validation_422_is_gone() -> None:
    doc = openapi()
    assert not {"HTTPValidationError", "ValidationError"} & set(doc["components"]["schemas"])
    with_422 = {
        (m, p)
        for p, ops in doc["paths"].items()
        for m, op in ops.items()
        if "422" in op["responses"]
    }
    # Only where the server refuses a well-formed request: a gate, an ungrounded draft or one
    # in another language than asked.
    assert with_422 == {
        ("post", "/v1/adapters"),
        ("post", "/v1/ar/emails"),
        *((m, p) for (m, p), s in DECLARED_ERRORS.items() if "409" in s),  # a gate
    }


def test_the_error_model_is_the_error_body() -> None:
    schemas = openapi()["components"]["schemas"]
    detail = schemas["ErrorDetail"]
    assert set(detail["properties"]) == set(errors.error_body("m", "t")["error"])
    assert set(detail["required"]) == {"message", "type", "param", "code"}
    assert schemas["ErrorResponse"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }


def test_the_key_is_a_bearer_scheme_not_a_header_parameter() -> None:
    doc = openapi()
    assert doc["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            names = [p["name"].lower() for p in op.get("parameters", [])]
            assert "authorization" not in names, (method, path)
            if path in ("/health", "/ready"):
                assert "security" not in op
            elif path == "/metrics":
                assert op["security"] == [{}, {"bearer": []}]  # public on loopback
            else:
                assert op["security"] == [{"bearer": []}]


def test_the_streaming_routes_declare_server_sent_events() -> None:
    paths = openapi()["paths"]
    for path in ("/v1/chat/completions", "/v1/completions"):
        assert set(paths[path]["post"]["responses"]["200"]["content"]) == {
            "application/json",
            "text/event-stream",
        }


MSG = [{"role": "user", "content": "hi"}]


@pytest.mark.anyio
async def test_what_the_server_answers_is_declared(tmp_path: Path) -> None:
    """Each kind of refusal, sent to a real app (fake engine): its status is declared for the
    route and its body is the declared error model."""
    keys = tmp_path / "keys.json"
    infer = {"Authorization": f"Bearer {create_key(keys, 'i', 't1', ['infer'])}"}
    settings = Settings(keys_file=keys, max_body_bytes=2000, max_header_bytes=4000)
    app = create_app(settings, ClassifierEngine())  # type: ignore[arg-type]
    doc = app.openapi()
    chat = "/v1/chat/completions"
    sent: list[tuple[str, str, dict[str, str], bytes | dict[str, Any] | None, int]] = [
        ("get", "/v1/models", {}, None, 401),
        ("get", "/v1/adapters", infer, None, 403),
        ("delete", "/v1/adapters/x", infer, None, 403),
        ("post", chat, infer, b"{not json", 400),
        ("post", chat, infer, {"model": "fake-base", "messages": []}, 400),
        ("post", chat, infer, {"model": "nope", "messages": MSG}, 404),
        # vLLM refuses it in the engine, which used to answer 500
        (
            "post",
            chat,
            infer,
            {"model": "fake-base", "messages": MSG, "n": 2, "temperature": 0},
            400,
        ),
        ("post", chat, infer, {"model": "fake-base", "messages": MSG, "x": "y" * 3000}, 413),
        ("post", "/v1/completions", infer, {"model": "fake-base", "prompt": ""}, 400),
        ("post", "/v1/completions", infer, {"model": "fake-base", "prompt": "x", "n": 99}, 400),
        # no retrieval store in this app: the e-mail route says so before reading the body
        ("post", "/v1/ar/emails", infer, {"customer_id": "C1"}, 503),
        ("post", "/v1/disputes/classify", infer, {"items": []}, 400),
        ("post", "/v1/adapters", {}, {"adapter": "x"}, 401),
        # the data routes: a key without the data scope, then no store in this app
        ("post", "/v1/records", infer, b"[]", 403),
        ("delete", "/v1/customers/C1", infer, None, 403),
        ("get", "/v1/customers/C1/context?email_type=final_notice", infer, None, 503),
        # the serving state is the admin's; LoRA is off in this app
        ("get", "/v1/rollouts", infer, None, 403),
        ("put", "/v1/routes", infer, {"task": "x", "adapter": "y"}, 403),
        ("post", "/v1/rollouts/x/rollback", infer, {}, 403),
        ("get", "/v1/audit", infer, None, 403),
        ("get", "/health", {"X-Big": "x" * 5000}, None, 431),
        ("get", "/ready", {"X-Big": "x" * 5000}, None, 431),
        ("get", "/metrics", {"X-Big": "x" * 5000}, None, 431),
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for method, path, headers, body, status in sent:
            kwargs: dict[str, Any] = {"headers": headers}
            if isinstance(body, bytes):
                kwargs["content"] = body
                kwargs["headers"] = {**headers, "Content-Type": "application/json"}
            elif body is not None:
                kwargs["json"] = body
            r = await client.request(method.upper(), path, **kwargs)
            assert r.status_code == status, (method, path, r.text)
            template = TEMPLATES.get(path.split("?")[0], path.split("?")[0])
            assert str(status) in doc["paths"][template][method]["responses"], (method, path)
            ErrorResponse.model_validate(r.json())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
