"""The OpenAPI document describes every route's response, with enums from the one task list."""

from __future__ import annotations

from typing import Any

from adapters.tasks import EMAIL_TYPES
from retrieval.taxonomy import DISPUTE_REASONS
from server.app import create_app
from server.settings import Settings
from tests.server.fake_engine import FakeEngine


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
        ("post", "/v1/ar/emails"): "EmailResponse",
        ("post", "/v1/disputes/classify"): "ClassifyResponse",
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
