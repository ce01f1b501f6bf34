"""One table maps every kind of error, whichever layer raised it, to a status and type."""

from __future__ import annotations

import json

import pytest

from retrieval import errors as retrieval_errors
from server import errors
from server.api.errors import exception_to_response
from server.engine import errors as engine_errors


@pytest.mark.parametrize(
    ("exc", "status", "type_"),
    [
        (errors.InvalidRequestError("bad", param="n"), 400, "invalid_request_error"),
        (retrieval_errors.InvalidRequestError("empty tenant"), 400, "invalid_request_error"),
        (engine_errors.EngineRequestError("schema"), 400, "invalid_request_error"),
        (engine_errors.AdapterLoadError("broken"), 400, "invalid_request_error"),
        (errors.AuthenticationError("no key"), 401, "authentication_error"),
        (errors.PermissionDeniedError("scope"), 403, "permission_error"),
        (errors.NotFoundError("model", param="model"), 404, "not_found_error"),
        (retrieval_errors.NotFoundError("customer"), 404, "not_found_error"),
        (engine_errors.AdapterNotLoadedError("x", param="model"), 404, "not_found_error"),
        (errors.PayloadTooLargeError("big"), 413, "invalid_request_error"),
        (errors.UnprocessableError("gate"), 422, "invalid_request_error"),
        (errors.OverloadedError("full"), 429, "rate_limit_error"),
        (errors.NotReadyError("loading"), 503, "service_unavailable"),
        (engine_errors.EngineUnavailableError("dead"), 503, "service_unavailable"),
        (retrieval_errors.StoreUnavailableError("locked"), 503, "service_unavailable"),
        (errors.ConfigError("keys file"), 500, "configuration_error"),
        (engine_errors.EngineError("generation failed"), 500, "server_error"),
    ],
)
def test_every_kind_has_its_status(exc: Exception, status: int, type_: str) -> None:
    response = exception_to_response(exc)
    body = json.loads(bytes(response.body))
    assert response.status_code == status and body["error"]["type"] == type_
    assert body["error"]["message"] == str(exc)
    assert (response.headers.get("Retry-After") == "1") == (status in (429, 503))


def test_one_hierarchy_and_one_not_found() -> None:
    for kind in (errors.InvalidRequestError, errors.NotFoundError, errors.ConfigError):
        assert issubclass(kind, engine_errors.ArserveError)
    # the server's kinds are retrieval's, so one `except` catches both layers' errors
    assert issubclass(errors.NotFoundError, retrieval_errors.NotFoundError)
    assert issubclass(errors.InvalidRequestError, retrieval_errors.InvalidRequestError)
    assert issubclass(engine_errors.EngineUnavailableError, engine_errors.ArserveError)
    exc = errors.NotFoundError("adapter 'x' is not loaded", param="model", code="nope")
    body = json.loads(bytes(exception_to_response(exc).body))["error"]
    assert body == {
        "message": str(exc),
        "type": "not_found_error",
        "param": "model",
        "code": "nope",
    }


def test_internal_details_stay_inside() -> None:
    body = json.loads(bytes(exception_to_response(retrieval_errors.IngestError("/x")).body))
    assert body["error"] == {
        "message": "retrieval failed", "type": "server_error", "param": None, "code": None
    }  # fmt: skip
    body = json.loads(bytes(exception_to_response(RuntimeError("secret")).body))
    assert body["error"]["message"] == "internal server error"
