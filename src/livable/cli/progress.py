"""Progress reporting for long work: a callback protocol and a terminal progress bar.

:func:`livable.evaluate` takes ``progress=``, a callable ``(stage, fraction)`` called as
the run goes through its stages (``reading``, ``indexing``, ``distances``,
``indicators``), fraction from 0 to 1 within each; the command line adds ``writing``
for the report file. Any callable will do, e.g. to feed a web UI or a log::

    livable.evaluate(communities, facilities, progress=lambda stage, f: print(stage, f))

:class:`TerminalProgress` draws one line on a terminal with plain ``\\r`` and ANSI
erase-line codes (no dependency), and is silent when its stream is not a terminal, so
``livable evaluate`` shows a bar when run by a person and stays quiet in pipes, logs and
CI (and with ``--quiet``).

>>> import io
>>> buf = io.StringIO()
>>> bar = TerminalProgress(buf, enabled=True, width=10, min_interval=0.0)
>>> bar("distances", 0.5)
>>> buf.getvalue().strip("\\r\\x1b[K")
'livable [#####-----]  50% distances (3/5)'
>>> bar.close()
>>> TerminalProgress(io.StringIO()).enabled  # a StringIO is not a terminal
False
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

__all__ = ["STAGES", "TerminalProgress", "terminal_progress"]

STAGES: tuple[str, ...] = ("reading", "indexing", "distances", "indicators", "writing")
"""The stages of an evaluation, in order (``writing`` is the report file)."""

_ERASE = "\r\x1b[K"


class TerminalProgress:
    """A one-line progress bar over :data:`STAGES`, written to a terminal stream.

    Call it with ``(stage, fraction)``; the bar shows overall progress (each stage an
    equal share), the percentage and the stage. Redraws at most every ``min_interval``
    seconds (and at every stage change); :meth:`close` erases the line. ``enabled``
    defaults to whether ``stream`` is a terminal (and ``TERM`` is not ``dumb``).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        width: int = 30,
        min_interval: float = 0.1,
    ) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self.enabled = enabled
        self.width = width
        self.min_interval = min_interval
        self._last_draw = -float("inf")
        self._last_stage: str | None = None
        self._drawn = False

    def __call__(self, stage: str, fraction: float) -> None:
        """Report that ``stage`` is ``fraction`` (0-1) done."""
        if not self.enabled:
            return
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_draw < self.min_interval:
            return
        self._last_stage = stage
        self._last_draw = now
        fraction = min(1.0, max(0.0, float(fraction)))
        if stage in STAGES:
            index = STAGES.index(stage)
            overall = (index + fraction) / len(STAGES)
            where = f"{stage} ({index + 1}/{len(STAGES)})"
        else:
            overall = fraction
            where = stage
        filled = round(overall * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"{_ERASE}livable [{bar}] {100 * overall:3.0f}% {where}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar's line (call before printing results)."""
        if self.enabled and self._drawn:
            self.stream.write(_ERASE)
            self.stream.flush()
            self._drawn = False


def terminal_progress(*, quiet: bool = False, stream: TextIO | None = None) -> TerminalProgress:
    """The command line's progress bar: on stderr, off with ``quiet`` or off a terminal.

    >>> terminal_progress(quiet=True).enabled
    False
    """
    bar = TerminalProgress(stream)
    if quiet:
        bar.enabled = False
    return bar
