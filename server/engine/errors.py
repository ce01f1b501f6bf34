"""The root of arserve's error hierarchy, and the errors the engine raises.

The root lives here, at the bottom of the server package, so the engine (and the evaluation
harness and benchmarks that drive it) need nothing of the HTTP app. `server/errors.py` adds
the HTTP app's kinds; `server/api/errors.py` maps every kind to a status in one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArserveError(Exception):
    """An error the caller may see: a message, optionally the parameter at fault and a code."""

    message: str
    param: str | None = None
    code: str | None = None

    def __str__(self) -> str:
        return self.message


class EngineError(ArserveError):
    """The engine failed to serve a request (the server's fault)."""


class EngineUnavailableError(EngineError):
    """The engine is not running (stopped, or dead and waiting for a restart)."""


class EngineRequestError(EngineError):
    """The engine refused the request's parameters (a schema, a length...)."""

    @classmethod
    def of(cls, exc: Exception) -> EngineRequestError:
        """A client mistake vLLM found (vLLM 0.32's validation errors are not ValueErrors)."""
        message = str(exc.args[0] if exc.args else exc)
        return cls(message, param=getattr(exc, "parameter", None))


class AdapterNotLoadedError(EngineError):
    """No adapter of that name is loaded in the engine."""


class AdapterLoadError(EngineError):
    """The engine could not load an adapter's weights."""


class AdapterFaultError(EngineError):
    """An adapter produced non-finite values: its request is aborted, the adapter unloaded."""
