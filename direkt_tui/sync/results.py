"""What a sync job reports: per feed, for the reference data, and for one whole cycle, with the
data's instant and the clock skew (report.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.models import sane_instant


@dataclass
class FeedResult:
    feed: str
    pages: int = 0
    items: int = 0
    changed: int = 0
    quarantined: int = 0
    resynced: bool = False
    removed: int = 0
    server_time: datetime | None = None


@dataclass
class ReferenceResult:
    units: int = 0
    templates: int = 0
    coordinators: int = 0
    quarantined: int = 0
    server_time: datetime | None = None


@dataclass
class CycleResult:
    """One ``sync_all``: what changed, the data's instant and how long it took."""

    started_at: datetime
    finished_at: datetime
    data_as_of: datetime
    feeds: dict[str, FeedResult] = field(default_factory=dict)
    reference: ReferenceResult | None = None
    skew_seconds: float | None = None  # server clock minus local clock, when the server said
    duration: float = 0.0
    server_time: datetime | None = None  # the platform's clock as it said (may be absurd: see data_instant)

    @property
    def changed(self) -> int:
        return sum(f.changed for f in self.feeds.values())

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.feeds.values()) + (self.reference.quarantined if self.reference else 0)

    def summary(self) -> str:
        parts = [f"{name} {r.changed}" + (" (re-read)" if r.resynced else "") for name, r in self.feeds.items()]
        text = "changed: " + ", ".join(parts) if parts else "no feeds"
        if self.reference is not None:
            text += f"; units {self.reference.units}, templates {self.reference.templates}"
        if self.quarantined:
            text += f"; quarantined {self.quarantined}"
        text += f"; data as of {self.data_as_of.isoformat(timespec='seconds')}"
        if self.skew_seconds is not None and abs(self.skew_seconds) >= 5:
            text += f"; clock skew {self.skew_seconds:+.0f} s"
        return text


def data_instant(server_time: datetime | None, finished: datetime) -> tuple[datetime, float | None]:
    """``(data_as_of, clock_skew_seconds)`` of a sync that ended at ``finished`` (the
    application's clock) with the platform's clock at ``server_time`` (report.md): the server's
    time, never later than ours (a bogus future clock must not keep stale data fresh), and the
    local clock when the server said nothing usable; the skew is the server's clock minus ours,
    signed (None when the server gave no time). A server time outside 2000-2100 is absurd: its
    skew is reported, but the data's instant is the local clock."""
    if server_time is None:
        return finished, None
    skew = (server_time - finished).total_seconds()
    if not sane_instant(server_time):
        return finished, skew
    return min(server_time, finished), skew


__all__ = ["CycleResult", "FeedResult", "ReferenceResult", "data_instant"]
