"""The cyclic garbage collector's full passes at idle moments, not under the coordinator's keys.

At region scale the heap holds millions of objects the collector tracks (the store's cached
cases, the board on screen), and a full (generation-2) pass walks them all: ~0.1 s at 10,000
open cases, ~1 s at 100,000 (measured with ``gc.callbacks``, ``bench/region.py``). Left to its
own schedule it falls due on whichever thread allocates — mostly the UI thread, in the middle of
a key press. While the app runs, full passes are taken off that schedule (the collector's third
threshold raised out of reach; the young generations are collected as usual) and made here
instead: once keyboard and mouse have been still for ``idle`` seconds, at most every
``min_interval``, and at the latest every ``max_interval`` even if the coordinator never stops
(the UI's rendering makes cyclic garbage: it must be collected). No Textual here; the app feeds
its input events and ticks.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable

IDLE_SECONDS = 2.0
MIN_INTERVAL = 30.0
MAX_INTERVAL = 120.0
# Python 3.14's collector is incremental (its third threshold is gone): no long full passes to move
NEEDED = sys.version_info < (3, 14)
_OUT_OF_REACH = 2**31 - 1  # a threshold the collector's count of young passes never exceeds
_LOCK = threading.Lock()
_RUNNING: set[int] = set()  # the collectors started and not stopped (their ids)
_SCHEDULE: list[tuple[int, int, int]] = []  # the collector's thresholds before the first started


def full_pass_due(
    now: float,
    last_input: float,
    last_full: float,
    idle: float = IDLE_SECONDS,
    min_interval: float = MIN_INTERVAL,
    max_interval: float = MAX_INTERVAL,
) -> bool:
    """A full pass is due at ``now`` (monotonic seconds): ``max_interval`` since the last one,
    or ``min_interval`` since it and ``idle`` since the last input."""
    since = now - last_full
    return since >= max_interval or (since >= min_interval and now - last_input >= idle)


class IdleCollector:
    """Full collector passes when the coordinator is not typing (see the module)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_input = self.last_full = clock()
        self.passes = 0  # full passes made here

    @property
    def running(self) -> bool:
        return id(self) in _RUNNING

    def start(self) -> None:
        """Take full passes off the collector's own schedule (until :meth:`stop`). Collectors
        running at once (two apps in one process) share it: the first keeps the schedule as it
        was, the last to stop gives it back."""
        if not NEEDED:
            return
        with _LOCK:
            if not _RUNNING:
                _SCHEDULE[:] = [gc.get_threshold()]
                first, young, _old = _SCHEDULE[0]
                gc.set_threshold(first, young, _OUT_OF_REACH)
            _RUNNING.add(id(self))

    def stop(self) -> None:
        """The collector's own schedule back, as it was (once no other collector runs)."""
        with _LOCK:
            if id(self) in _RUNNING:
                _RUNNING.discard(id(self))
                if not _RUNNING:
                    gc.set_threshold(*_SCHEDULE[0])

    def touched(self) -> None:
        """An input event (a key, the mouse)."""
        self.last_input = self._clock()

    def tick(self) -> bool:
        """A full pass if one is due; True when it made one. Not while a board worker has the
        collector paused (``domain.perf.gc_paused``): it would walk a half-built board, holding
        the interpreter for the worker too; the next tick makes it."""
        if not self.running or not gc.isenabled():
            return False
        if not full_pass_due(self._clock(), self.last_input, self.last_full):
            return False
        gc.collect()
        self.last_full = self._clock()
        self.passes += 1
        return True
