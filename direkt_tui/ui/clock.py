"""Clocks for the application. The rule engine never reads a clock; the application does,
through one of these, so tests can freeze it and the demo can follow the simulator."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


class ServerClock:
    """Follows the platform's clock (``X-Server-Time`` at each sync): the last server instant
    plus the real time elapsed since, times ``rate`` (1 against a real platform; the
    simulator's speed in the demo). Before the first sync it is the local clock."""

    def __init__(self, rate: float = 1.0):
        self.rate = rate
        self._lock = threading.Lock()
        self._anchor: tuple[datetime, float] | None = None

    def anchor(self, server_time: datetime) -> None:
        with self._lock:
            self._anchor = (server_time, time.monotonic())

    @property
    def anchored(self) -> bool:
        return self._anchor is not None

    def now(self) -> datetime:
        with self._lock:
            anchor = self._anchor
        if anchor is None:
            return datetime.now(UTC)
        server, mono = anchor
        return server + timedelta(seconds=(time.monotonic() - mono) * self.rate)
