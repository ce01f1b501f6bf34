"""The endpoint services, built once per app and kept on it (as vLLM's serving classes are).

The app factory says how to build each one. The app starts before its engine and store are up,
so a service that needs them is built the first time it is asked for once they are ready
(until then asking answers 503), then kept. Routers take theirs through a dependency declared
after the principal, so a bad key gets its 401 before that 503."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Services:
    def __init__(self) -> None:
        self._builders: dict[type, Callable[[], Any]] = {}
        self._built: dict[type, Any] = {}

    def add(self, kind: type[T], build: Callable[[], T]) -> None:
        self._builders[kind] = build

    def get(self, kind: type[T]) -> T:
        """The one service of this kind; a build that raises (not ready yet) is tried again."""
        if kind not in self._built:
            self._built[kind] = self._builders[kind]()
        return cast(T, self._built[kind])
