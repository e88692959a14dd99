"""Fault injection settings (chaos) for the simulator, and a test hook.

Settable from CLI flags, from tests through ``World.set_faults(...)`` and at runtime through
``POST /_sim/control``. One-shot actions (``advance_seconds``, ``drop_cursors``,
``hang_seconds``) act when set and are not stored.

:class:`FeedGate` is no setting: a Python object a test puts on ``SimServer.feed_gate`` to
count the page requests of a change feed and hold one until the test lets it through, so a
test acts at a known point of a client's sync (events, not sleeps).
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field

_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class FaultError(ValueError):
    pass


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` (sim local time) -> (start minute, end minute) of the day.

    A window whose end is before its start wraps midnight (``22:00-02:00``)."""
    m = _WINDOW.match(text.strip())
    if not m:
        raise FaultError(f"outage window must look like HH:MM-HH:MM, got {text!r}")
    a = int(m.group(1)) * 60 + int(m.group(2))
    b = int(m.group(3)) * 60 + int(m.group(4))
    if a == b:
        raise FaultError(f"empty outage window {text!r}")
    return a, b


def in_window(minute_of_day: int, window: tuple[int, int]) -> bool:
    a, b = window
    if a < b:
        return a <= minute_of_day < b
    return minute_of_day >= a or minute_of_day < b


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    outage: bool = False
    outage_windows: list[str] = field(default_factory=list)
    garbage_rate: float = 0.0
    rate_limit_every: int = 0
    repeat_rate: float = 0.0
    old_version_rate: float = 0.0
    max_page_size: int | None = None
    broken: list[str] = field(default_factory=list)  # deliberate contract breaches (sim/broken.py)

    # one-shot actions accepted by update() but not stored
    ACTIONS = ("advance_seconds", "drop_cursors", "hang_seconds")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    def validated_update(self, changes: dict) -> dict:
        """Validate ``changes`` (stored fields and actions); returns the normalised dict.

        Raises FaultError on an unknown field or a bad value; nothing is applied then."""
        if not isinstance(changes, dict):
            raise FaultError("control body must be a JSON object")
        out: dict = {}
        for key, value in changes.items():
            if key in ("latency_ms", "rate_limit_every"):
                out[key] = _int(key, value, 0, 600_000)
            elif key in ("error_rate", "garbage_rate", "repeat_rate", "old_version_rate"):
                out[key] = _rate(key, value)
            elif key in ("outage", "drop_cursors"):
                if not isinstance(value, bool):
                    raise FaultError(f"{key} must be a boolean")
                out[key] = value
            elif key == "max_page_size":
                out[key] = None if value is None else _int(key, value, 1, 1000)
            elif key == "outage_windows":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise FaultError("outage_windows must be a list of HH:MM-HH:MM strings")
                for v in value:
                    parse_window(v)
                out[key] = [v.strip() for v in value]
            elif key == "broken":
                from .broken import validate

                try:
                    out[key] = validate(value)
                except ValueError as exc:
                    raise FaultError(str(exc)) from None
            elif key in ("advance_seconds", "hang_seconds"):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise FaultError(f"{key} must be a number")
                if value < 0 or value > 10 * 365 * 86400:
                    raise FaultError(f"{key} out of range")
                out[key] = float(value)
            else:
                raise FaultError(f"unknown control field {key!r}")
        return out

    def apply_stored(self, changes: dict) -> None:
        for key, value in changes.items():
            if key in self.__dataclass_fields__:
                setattr(self, key, value)

    def windows(self) -> list[tuple[int, int]]:
        return [parse_window(w) for w in self.outage_windows]


def _int(key, value, lo, hi) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError(f"{key} must be an integer")
    if not lo <= value <= hi:
        raise FaultError(f"{key} must be between {lo} and {hi}")
    return value


def _rate(key, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultError(f"{key} must be a number between 0 and 1")
    if not 0.0 <= float(value) <= 1.0:
        raise FaultError(f"{key} must be between 0 and 1")
    return float(value)


class FeedGate:
    """Count the page requests of one change feed and let only ``allow`` of them through; the
    next waits at the gate until :meth:`allow` lets more through, :meth:`open` opens it, or the
    server stops. ``allow=None`` is an open gate that only counts.

    A client that reads pages one after the other and commits each before asking for the next
    (the sync engine) has committed exactly ``k`` pages of this run when its request for page
    ``k + 1`` waits at a gate that allowed ``k`` (:meth:`wait_waiting`).

    Put it on ``SimServer.feed_gate`` (the server asks it before serving a page of any feed);
    it is not reachable over HTTP."""

    def __init__(self, feed: str = "cases", allow: int | None = 0):
        if allow is not None and allow < 0:
            raise ValueError("allow must be at least 0")
        self.feed = feed
        self._allowed = allow
        self._cond = threading.Condition()
        self.arrived = 0  # page requests of the feed that reached the gate
        self.passed = 0  # ... and went through it

    def passing(self, feed: str, stopping: threading.Event) -> None:
        """Called by the server's handler thread before it serves a page of ``feed``."""
        if feed != self.feed:
            return
        with self._cond:
            self.arrived += 1
            self._cond.notify_all()
            while self._allowed is not None and self.passed >= self._allowed and not stopping.is_set():
                self._cond.wait(0.05)  # re-checks ``stopping`` (an Event cannot wake a Condition)
            self.passed += 1
            self._cond.notify_all()

    def allow(self, n: int = 1) -> None:
        """Let ``n`` more requests through."""
        with self._cond:
            if self._allowed is not None:
                self._allowed += n
            self._cond.notify_all()

    def open(self) -> None:
        """Let every request through from now on (held ones included)."""
        with self._cond:
            self._allowed = None
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Requests held at the gate now."""
        with self._cond:
            return self.arrived - self.passed

    def wait_waiting(self, timeout: float) -> bool:
        """Wait until a request is held at the gate; False if none came within ``timeout``
        seconds (a bound against a hang, not a timing assumption)."""
        with self._cond:
            return self._cond.wait_for(lambda: self.arrived > self.passed, timeout)

    def wait_passed(self, n: int, timeout: float) -> bool:
        """Wait until ``n`` requests have gone through the gate."""
        with self._cond:
            return self._cond.wait_for(lambda: self.passed >= n, timeout)
