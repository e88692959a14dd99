"""Time helpers for the simulator: UTC instants, RFC 3339 formatting, local wall times.

Everything the simulator sends is UTC with a ``Z`` suffix. Local times (opening hours,
shifts) are built per date with ``datetime.combine(date, time, ZoneInfo(...))`` so that
daylight-saving changes never shift them.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = "Europe/Stockholm"


@lru_cache(maxsize=16)
def zone(name: str = STOCKHOLM) -> ZoneInfo:
    return ZoneInfo(name)


def iso(dt: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, whole seconds (truncated), e.g. ``2026-11-26T13:30:00Z``.

    One fixed width for every timestamp the simulator sends, so that even a client that
    compares the strings gets the order right."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    # isoformat (it truncates to seconds) rather than strftime, the planners' costliest call
    return dt.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


def parse_iso(s: str) -> datetime:
    """Parse an RFC 3339 instant (``Z`` or offset) into an aware UTC datetime."""
    if not isinstance(s, str):
        raise ValueError("not a string")
    t = s.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        raise ValueError(f"timestamp without offset: {s!r}")
    return dt.astimezone(UTC)


def normalize_iso(s):
    """Re-format an RFC 3339 string as UTC ``Z`` (None passes through)."""
    if s is None:
        return None
    return iso(parse_iso(s))


def local_instant(d: date, hhmm: str | time, tz: str = STOCKHOLM) -> datetime:
    """The UTC instant of local wall time ``hhmm`` on local date ``d``."""
    if isinstance(hhmm, str):
        h, m = hhmm.split(":")
        if int(h) == 24:
            return local_instant(d + timedelta(days=1), "00:00", tz)
        t = time(int(h), int(m))
    else:
        t = hhmm
    return datetime.combine(d, t, zone(tz)).astimezone(UTC)


def local_date(dt: datetime, tz: str = STOCKHOLM) -> date:
    return dt.astimezone(zone(tz)).date()


def local_hm(dt: datetime, tz: str = STOCKHOLM) -> str:
    return dt.astimezone(zone(tz)).strftime("%H:%M")


def real_now() -> datetime:
    return datetime.fromtimestamp(_time.time(), UTC)


class SimClock:
    """``sim_now = start + offset + (monotonic elapsed) * speed``; ``speed == 0`` freezes it."""

    def __init__(self, start: datetime, speed: float = 1.0, *, monotonic=_time.monotonic):
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.start = start.astimezone(UTC)
        self.speed = float(speed)
        self._mono = monotonic
        self._t0 = monotonic()
        self._offset = 0.0  # simulated seconds added by advance()

    @property
    def frozen(self) -> bool:
        return self.speed == 0

    def now(self) -> datetime:
        elapsed = 0.0 if self.speed == 0 else (self._mono() - self._t0) * self.speed
        return self.start + timedelta(seconds=self._offset + elapsed)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += float(seconds)

    def real_seconds_until(self, instant: datetime) -> float | None:
        """Real seconds until the simulated clock reaches ``instant`` (None when frozen)."""
        if self.speed == 0:
            return None
        return max(0.0, (instant - self.now()).total_seconds() / self.speed)
