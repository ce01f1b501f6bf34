"""Typed errors of the retrieval layer; the server maps them to HTTP statuses.

`InvalidRequestError`, `NotFoundError` and `ConfigError` are kinds the server shares: its own
errors of those names subclass these, so one `except` or one status covers both layers.
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class of every error raised by ``retrieval``."""


class ConfigError(RetrievalError):
    """The configuration cannot be used (missing model, bad location...)."""


class InvalidRequestError(RetrievalError):
    """The caller passed bad arguments (empty tenant id, negative budget...): HTTP 400/422."""


class NotFoundError(RetrievalError):
    """A tenant, customer, invoice or dispute is unknown *to this tenant*: HTTP 404.

    An id that belongs to another tenant raises exactly the same error with the same
    message as an id that exists nowhere, so callers cannot probe other tenants.
    """


class IngestError(RetrievalError):
    """An ingestion source cannot be read at all (missing file, unknown record type)."""


class StoreUnavailableError(RetrievalError):
    """The vector store cannot be reached or opened (locked folder, server down): HTTP 503."""
