"""Shadow runs: the candidate answers a sampled request in the background, never returned.

A bounded queue and a fixed number of workers: a full queue drops the shadow run (counted),
so shadow traffic can never hold up or fail a live request. Jobs run in the workers' own
context, not the request's (nothing they do lands in the live request's log or audit)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


@dataclass
class ShadowStats:
    num_submitted: int = 0
    num_dropped: int = 0
    num_done: int = 0
    num_failed: int = 0

    @property
    def num_pending(self) -> int:
        """Queued or running now."""
        return self.num_submitted - self.num_done - self.num_failed


class ShadowRunner:
    def __init__(
        self,
        max_queue: int = 16,
        num_workers: int = 1,
        timeout_s: float = 120.0,
        on_result: Callable[[str], None] = lambda result: None,
    ) -> None:
        self.on_result = on_result  # queued, dropped, done, failed (the app counts them)
        self.max_queue = max_queue
        self.num_workers = num_workers
        self.timeout_s = timeout_s
        self.stats = ShadowStats()
        self._queue: asyncio.Queue[tuple[Job, Job | None]] | None = None
        self._workers: list[asyncio.Task[None]] = []

    def submit(self, job: Job, on_timeout: Job | None = None) -> bool:
        """Queue `job` (a function that makes the coroutine); False when it was dropped.
        `on_timeout` runs when the job is cut off (a timeout is the candidate's failure too)."""
        if self._queue is None:
            self._start()
        assert self._queue is not None
        try:
            self._queue.put_nowait((job, on_timeout))
        except asyncio.QueueFull:
            self.stats.num_dropped += 1
            self.on_result("dropped")
            return False
        self.stats.num_submitted += 1
        self.on_result("queued")
        return True

    def _start(self) -> None:
        self._queue = asyncio.Queue(self.max_queue)
        # Started from a bare context: a task copies the context it is created in.
        for _ in range(self.num_workers):
            task = asyncio.get_running_loop().create_task(
                self._work(), context=contextvars.Context()
            )
            self._workers.append(task)

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            job, on_timeout = await self._queue.get()
            try:
                await asyncio.wait_for(job(), self.timeout_s)
                self.stats.num_done += 1
                self.on_result("done")
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                self.stats.num_failed += 1
                self.on_result("failed")
                logger.warning("shadow run timed out after %gs", self.timeout_s)
                if on_timeout is not None:
                    await on_timeout()
            except Exception as exc:  # a shadow failure is the candidate's score, never ours
                self.stats.num_failed += 1
                self.on_result("failed")
                logger.warning("shadow run failed: %s", type(exc).__name__)
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait for every queued shadow run (tests, shutdown)."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        self._queue = None
