"""The endpoint services, built once per app and kept on it (as vLLM's serving classes are).

The app starts before its engine and store are up, so a service that needs them is built the
first time it is asked for once they are ready (until then asking answers 503), then kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from server.api.adapters.service import AdapterAdmin
from server.api.ar_emails.service import EmailService
from server.api.chat.service import ChatService
from server.api.completions.service import CompletionService
from server.api.disputes.service import DisputeService
from server.state import AppState

T = TypeVar("T")


class Once(Generic[T]):
    """A value built on first use; a build that raises (not ready yet) is tried again."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            self._value = self._build()
        return self._value


@dataclass(frozen=True)
class Services:
    chat: Once[ChatService]
    completions: Once[CompletionService]
    disputes: Once[DisputeService]
    emails: Once[EmailService]
    adapters: AdapterAdmin

    @classmethod
    def build(cls, state: AppState) -> Services:
        return cls(
            chat=Once(lambda: ChatService(state, state.ready_engine())),
            completions=Once(lambda: CompletionService(state, state.ready_engine())),
            disputes=Once(lambda: DisputeService(state, state.ready_engine())),
            emails=Once(lambda: EmailService(state, state.ready_engine(), state.ready_retrieval())),
            adapters=AdapterAdmin(state),
        )
