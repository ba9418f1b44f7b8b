"""Build progress: one line per instance as it is lowered / compiled / warmed, with counts and time.

The build steps themselves print their lines (``tt-build: <instance> lowered 0.52 s``), so the same
lines appear in a ``pip install -v`` log, where Ninja's status prefix (``[3/15 4.101s]``, see
:data:`NINJA_STATUS`) adds the step count and the elapsed time. ``tt-build build`` reads those lines
from Ninja and re-prints them through :class:`Progress`: on a terminal, above a live status line
(``[3/15] 4.1 s  lowered 2  compiled 1  warmed 0``) redrawn every half second; elsewhere (a CI log,
a pipe) as plain lines with the count and the elapsed time appended, and no control characters.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TextIO

__all__ = ["EVENT", "KINDS", "NINJA_STATUS", "Progress", "event_line"]

#: Ninja's status prefix for tt-build's builds: finished/total steps and elapsed seconds.
NINJA_STATUS = "[%f/%t %es] "
#: What a step can report for an instance (``cached``: lowered files taken from the lowering cache).
KINDS = ("lowered", "cached", "compiled", "warmed")
#: A step's line: ``tt-build: <instance> <kind> <seconds> s[ <detail>]``.
EVENT = re.compile(r"^tt-build: (?P<instance>[A-Za-z_]\w*)\s+(?P<kind>lowered|cached|compiled|warmed)\s+"
                   r"(?P<seconds>\d+\.\d+) s(?P<detail>.*)$")


def event_line(instance: str, kind: str, seconds: float, detail: str = "") -> str:
    """The line a build step prints when it is done with ``instance`` (parsed back by :data:`EVENT`)."""
    return f"tt-build: {instance:<24} {kind:<8} {seconds:6.2f} s{detail}"


class Progress:
    """Prints a build's progress to ``stream`` (a live status line only when it is a terminal)."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, interval: float = 0.5, events: bool = True) -> None:
        """``events=False``: count the steps' events without printing their lines."""
        self.stream = stream
        self.events = events
        if tty is None:
            try:
                tty = stream.isatty()
            except (AttributeError, ValueError):
                tty = False
        self.tty = tty
        self.t0 = time.perf_counter()
        self.finished = 0
        self.total = 0
        self.counts = dict.fromkeys(KINDS, 0)
        self._shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.tty:
            self._ticker = threading.Thread(target=self._tick, args=(interval,), daemon=True)
            self._ticker.start()

    # -- input -----------------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def step(self, finished: int, total: int) -> None:
        """Ninja finished step ``finished`` of ``total``."""
        with self._lock:
            self.finished, self.total = finished, total
            self._draw()

    def event(self, instance: str, kind: str, seconds: float, detail: str = "") -> None:
        """A step is done with an instance: print its line (with the counts and the elapsed time)."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if not self.events:
            with self._lock:
                self._draw()
            return
        text = event_line(instance, kind, seconds, detail)
        if not self.tty:
            steps = f"{self.finished}/{self.total} steps, " if self.total else ""
            text += f"  [{steps}{self.elapsed():.1f} s]"
        self.line(text)

    def line(self, text: str) -> None:
        """Print a line (above the status line on a terminal)."""
        with self._lock:
            self._clear()
            print(text, file=self.stream, flush=True)
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear()

    # -- terminal status line ----------------------------------------------------------------------
    def status_text(self) -> str:
        steps = f"[{self.finished}/{self.total}] " if self.total else ""
        done = "  ".join(f"{k} {v}" for k, v in self.counts.items() if v or k != "cached")
        return f"tt-build: {steps}{self.elapsed():.1f} s  {done}"

    def _draw(self) -> None:
        if self.tty and not self._stop.is_set():
            self.stream.write("\r\x1b[K" + self.status_text())
            self.stream.flush()
            self._shown = True

    def _clear(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with self._lock:
                self._draw()
