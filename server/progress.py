"""Progress of a long command: a bar with counts and rate on a terminal, a plain line every
few seconds (and at the end) when the output is a file or a pipe."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(
        self, total: int | None, desc: str, unit: str = "rows", every_s: float = 10.0,
        stream: TextIO | None = None,
    ) -> None:  # fmt: skip
        self.total, self.desc, self.unit, self.every_s = total, desc, unit, every_s
        self.stream = stream or sys.stderr
        self.done = 0
        self._start = self._last = time.monotonic()
        self._bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=f" {unit}", file=self.stream)

    def to(self, done: int) -> None:
        """Progress up to done units."""
        if self._bar is not None:
            self._bar.update(done - self.done)
        self.done = done
        now = time.monotonic()
        if self._bar is None and now - self._last >= self.every_s:
            self._last = now
            self._line(now)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        else:
            self._line(time.monotonic())

    def _line(self, now: float) -> None:
        rate = self.done / max(now - self._start, 1e-9)
        of = f"/{self.total}" if self.total is not None else ""
        self.stream.write(f"{self.desc}: {self.done}{of} {self.unit} ({rate:.0f} {self.unit}/s)\n")
        self.stream.flush()
