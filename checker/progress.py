"""A progress bar on stderr for long runs: only on a terminal, only after the first second.

Short runs and pipes stay quiet (a CI log should hold the report, not carriage returns), and
the bar never touches stdout, where a JSON report may be going.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds a run must last before the bar shows.
DELAY = 1.0
_WIDTH = 24


class Progress:
    """A one-line bar, redrawn in place with a carriage return.

    Args:
        stream: where to draw (stderr by default).
        enabled: draw at all; None means "when `stream` is a terminal".
        delay: seconds to wait before the first drawing (default: DELAY).
        clock: a monotonic clock (injected by tests).
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None, delay: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.delay = DELAY if delay is None else delay
        self.clock = clock
        self.start = clock()
        self.drawn = False

    def update(self, done: int, total: int, label: str = "") -> None:
        """Show `done` of `total` (redrawn only once the delay has passed)."""
        if not self.enabled or self.clock() - self.start < self.delay:
            return
        total = max(total, 1)
        filled = min(_WIDTH, _WIDTH * done // total)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        text = f"[{bar}] {done}/{total} {label}".rstrip()
        self.stream.write("\r\x1b[K" + text[:100])
        self.stream.flush()
        self.drawn = True

    def phase(self, label: str) -> Callable[[int, int], None]:
        """A ``(done, total)`` callback that updates the bar with `label`."""
        return lambda done, total: self.update(done, total, label)

    def close(self) -> None:
        """Erase the bar, if it was drawn, so the report starts on a clean line."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


__all__ = ["DELAY", "Progress"]
