"""The forecast for closing (issue 13 §4; README "Forecast for closing"). Pure: no I/O, no
clock — the instant, today's observations and the history are passed in.

For a unit at ``t`` on a day it is open, with ``close`` today's closing:

    backlog_now      = waiting + queued care cases now
    arrival_rate     = care cases arriving per hour near closing
                       · history: the mean, over the same weekday in the last 4 weeks, of the
                         care cases that arrived in the last hour before closing;
                       · else today's: care cases that arrived in the last 2 hours (since
                         opening) ÷ those hours — the recent hours, not the whole day;
                       · else none (less than half an hour open so far)
    arrivals         = care cases expected to arrive from t to close: history: the mean of
                       those that arrived between the same local time and closing; else
                       today's arrival_rate × hours to close; else 0
    wait             = the mean time, in open hours, from arrival (or opening) to being taken
                       of the care cases taken in the last 2 hours ("recent"), else since
                       opening ("today"), with at least 5 cases; else none
    late             = arrival_rate × min(wait, hours to close): the cases that arrive within
                       one wait of closing are still waiting at closing however many work
                       (Little's law); with no wait or no arrival rate, the backlog as it is
                       now (the naive forecast, method "naive")
    clinician_hours  = the clinicians' scheduled hours from t to close (the roster)
    rate             = cases a clinician can take per hour: the largest of
                       forecast.cases_per_clinician_hour (configuration, "default"), the
                       history days' takings per clinician-hour ("history") and today's so far
                       ("today", at least 5 taken) — takings only show what arrived while the
                       clinicians kept up, so they are a lower bound of what they can take
    capacity         = rate × clinician_hours
    backlog_at_close = min(backlog_now + arrivals, max(late, backlog_now + arrivals − capacity))
    completions      = backlog_now + arrivals − backlog_at_close
    extra_hours      = (backlog_at_close − late) ÷ rate: the clinician-hours that would bring it
                       down to the late cases (more staff cannot take those)
    method           = which term gave backlog_at_close: "late", "capacity" (the clinicians
                       cannot keep up) or "naive"
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import CLINICAL, Case, Shift

HISTORY_WEEKS = 4
DEFAULT_CASES_PER_CLINICIAN_HOUR = 3.0  # the service rate until there is history ([forecast] in the configuration)
MIN_HISTORY_DAYS = 2  # fewer same-weekday days than this: today's observations instead
MIN_TODAY_HOURS = 0.5  # less of today open so far than this: no rate to go on
MIN_TODAY_TAKEN = 5  # fewer cases taken today than this: too few to give a service rate
RECENT_HOURS = 2.0  # today's arrival rate and wait: over the last hours this long (since opening)
MIN_WAITS = 5  # fewer taken cases than this: no wait from them


@dataclass(frozen=True)
class PastDay:
    """One earlier same-weekday day of the unit, from the store."""

    arrivals_after: int  # care cases that arrived between the same local time and closing
    completions: int  # care cases taken (received by a person) while the unit was open that day
    clinician_hours: float  # the clinicians' scheduled hours within that day's opening
    arrivals_last_hour: int = 0  # care cases that arrived in the last hour before closing


@dataclass(frozen=True)
class Forecast:
    at: datetime
    closes_at: datetime
    backlog_now: int
    arrivals: float
    arrivals_method: str  # history | today | none
    history_days: int
    arrival_rate: float  # per hour near closing
    wait_hours: float | None
    wait_method: str  # recent | today | none
    wait_cases: int
    late: float
    clinician_hours: float
    rate: float
    rate_method: str  # default | history | today
    capacity: float
    completions: float
    backlog_at_close: float
    extra_clinician_hours: float
    method: str  # late | capacity | naive: which term gave the backlog at closing

    def to_json(self) -> dict[str, Any]:
        return {
            "closes_at": self.closes_at.isoformat(),
            "method": self.method,
            "backlog_now": self.backlog_now,
            "arrivals": round(self.arrivals, 1),
            "arrivals_method": self.arrivals_method,
            "history_days": self.history_days,
            "arrival_rate": round(self.arrival_rate, 2),
            "wait_hours": None if self.wait_hours is None else round(self.wait_hours, 2),
            "wait_method": self.wait_method,
            "wait_cases": self.wait_cases,
            "late": round(self.late, 1),
            "clinician_hours": round(self.clinician_hours, 2),
            "cases_per_clinician_hour": round(self.rate, 2),
            "rate_method": self.rate_method,
            "capacity": round(self.capacity, 1),
            "completions": round(self.completions, 1),
            "backlog_at_close": round(self.backlog_at_close, 1),
            "extra_clinician_hours": round(self.extra_clinician_hours, 1),
        }


def backlog(cases: Iterable[Case]) -> int:
    """Waiting and queued (a profession's queue) care cases: what nobody has taken yet."""
    n = 0
    for c in cases:
        if c.kind != "care" or c.status == "closed":
            continue
        if c.status == "waiting" or (c.owner is not None and c.owner.type == "role"):
            n += 1
    return n


def clinician_hours(shifts: Iterable[Shift], unit_id: str, a: datetime, b: datetime) -> float:
    """Scheduled clinician hours of the unit within ``[a, b]`` (cancelled shifts excluded)."""
    total = 0.0
    for s in shifts:
        if s.unit_id != unit_id or s.cancelled or s.profession not in CLINICAL:
            continue
        lo, hi = max(a, s.start), min(b, s.end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 3600
    return total


def _mean_wait(recent: Sequence[float], today: Sequence[float]) -> tuple[float | None, str, int]:
    if len(recent) >= MIN_WAITS:
        return sum(recent) / len(recent), "recent", len(recent)
    if len(today) >= MIN_WAITS:
        return sum(today) / len(today), "today", len(today)
    return None, "none", 0


def forecast(
    at: datetime,
    closes_at: datetime,
    *,
    backlog_now: int,
    clinician_hours_ahead: float,
    history: Sequence[PastDay],
    arrivals_recent: int,
    recent_hours: float,
    hours_left: float,
    default_rate: float,
    waits_recent: Sequence[float] = (),
    waits_today: Sequence[float] = (),
    completions_today: int = 0,
    clinician_hours_so_far: float = 0.0,
) -> Forecast:
    """The expected backlog at ``closes_at`` (the formula in the module's docstring).

    ``arrivals_recent``: care cases that arrived in the last ``recent_hours`` hours (at most
    :data:`RECENT_HOURS`, since opening); ``hours_left``: hours from ``at`` to ``closes_at``;
    ``waits_recent`` / ``waits_today``: the waits, in open hours, of the care cases taken in
    those hours / since opening."""
    if len(history) >= MIN_HISTORY_DAYS:
        arrivals = sum(d.arrivals_after for d in history) / len(history)
        arrival_rate = sum(d.arrivals_last_hour for d in history) / len(history)
        method = "history"
    elif recent_hours >= MIN_TODAY_HOURS:
        arrival_rate = arrivals_recent / recent_hours
        arrivals = arrival_rate * hours_left
        method = "today"
    else:
        arrivals, arrival_rate, method = 0.0, 0.0, "none"
    rate, rate_method = default_rate, "default"
    worked = [d for d in history if d.clinician_hours > 0]
    hours = sum(d.clinician_hours for d in worked)
    done = sum(d.completions for d in worked)
    if len(worked) >= MIN_HISTORY_DAYS and hours > 0 and done / hours > rate:
        rate, rate_method = done / hours, "history"
    if clinician_hours_so_far >= 1.0 and completions_today >= MIN_TODAY_TAKEN:
        if completions_today / clinician_hours_so_far > rate:
            rate, rate_method = completions_today / clinician_hours_so_far, "today"
    wait, wait_method, wait_cases = _mean_wait(waits_recent, waits_today)
    total = backlog_now + arrivals
    capacity = rate * clinician_hours_ahead
    over = max(0.0, total - capacity)  # what the clinicians cannot take
    if wait is None or method == "none":
        late, how = float(backlog_now), "naive"
    else:
        late, how = arrival_rate * min(wait, hours_left), "late"
    left = min(total, max(late, over))
    if over > late:
        how = "capacity"
    late = min(late, left)
    return Forecast(
        at=at,
        closes_at=closes_at,
        backlog_now=backlog_now,
        arrivals=arrivals,
        arrivals_method=method,
        history_days=len(history),
        arrival_rate=arrival_rate,
        wait_hours=wait,
        wait_method=wait_method,
        wait_cases=wait_cases,
        late=late,
        clinician_hours=clinician_hours_ahead,
        rate=rate,
        rate_method=rate_method,
        capacity=capacity,
        completions=total - left,
        backlog_at_close=left,
        extra_clinician_hours=(left - late) / rate if rate > 0 else 0.0,
        method=how,
    )
