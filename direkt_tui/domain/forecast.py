"""The forecast for closing (issue 13 §4; README "Forecast for closing"). Pure: no I/O, no
clock — the instant and the history are passed in.

For a unit at ``t`` on a day it is open, with ``close`` today's closing:

    backlog_now      = waiting + queued care cases now
    arrivals         = expected care cases arriving from t to close
                       · history: the mean, over the same weekday in the last 4 weeks, of the
                         care cases that arrived between the same local time and closing;
                       · else today's rate so far: arrivals since opening ÷ open hours so far
                         × open hours left;
                       · else 0 (nothing to go on; said so)
    clinician_hours  = the clinicians' scheduled hours from t to close (the roster)
    rate             = care cases taken (received by a person: what shrinks the backlog) per
                       clinician-hour over the same history days, else today's so far (cases
                       taken today ÷ clinician-hours so far),
                       else forecast.cases_per_clinician_hour (configuration)
    completions      = min(backlog_now + arrivals, rate × clinician_hours)
    backlog_at_close = backlog_now + arrivals − completions
    extra_hours      = backlog_at_close ÷ rate   (the clinician-hours that would clear it)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import CLINICAL, Case, Shift

HISTORY_WEEKS = 4
DEFAULT_CASES_PER_CLINICIAN_HOUR = 3.0  # the service rate until there is history ([forecast] in the configuration)
MIN_HISTORY_DAYS = 2  # fewer same-weekday days than this: today's rate instead
MIN_TODAY_HOURS = 0.5  # less of today open so far than this: no rate to go on
MIN_TODAY_TAKEN = 5  # fewer cases taken today than this: too few to give a service rate


@dataclass(frozen=True)
class PastDay:
    """One earlier same-weekday day of the unit, from the store."""

    arrivals_after: int  # care cases that arrived between the same local time and closing
    completions: int  # care cases taken (received by a person) while the unit was open that day
    clinician_hours: float  # the clinicians' scheduled hours within that day's opening


@dataclass(frozen=True)
class Forecast:
    at: datetime
    closes_at: datetime
    backlog_now: int
    arrivals: float
    arrivals_method: str  # history | today | none
    history_days: int
    clinician_hours: float
    rate: float
    rate_method: str  # history | today | default
    completions: float
    backlog_at_close: float
    extra_clinician_hours: float

    def to_json(self) -> dict[str, Any]:
        return {
            "closes_at": self.closes_at.isoformat(),
            "backlog_now": self.backlog_now,
            "arrivals": round(self.arrivals, 1),
            "arrivals_method": self.arrivals_method,
            "history_days": self.history_days,
            "clinician_hours": round(self.clinician_hours, 2),
            "cases_per_clinician_hour": round(self.rate, 2),
            "rate_method": self.rate_method,
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


def forecast(
    at: datetime,
    closes_at: datetime,
    *,
    backlog_now: int,
    clinician_hours_ahead: float,
    history: Sequence[PastDay],
    arrivals_today: int,
    completions_today: int = 0,
    clinician_hours_so_far: float = 0.0,
    open_hours_so_far: float,
    open_hours_left: float,
    default_rate: float,
) -> Forecast:
    """The expected backlog at ``closes_at`` (the formula in the module's docstring)."""
    if len(history) >= MIN_HISTORY_DAYS:
        arrivals = sum(d.arrivals_after for d in history) / len(history)
        method = "history"
    elif open_hours_so_far >= MIN_TODAY_HOURS:
        arrivals = arrivals_today / open_hours_so_far * open_hours_left
        method = "today"
    else:
        arrivals, method = 0.0, "none"
    worked = [d for d in history if d.clinician_hours > 0]
    hours = sum(d.clinician_hours for d in worked)
    done = sum(d.completions for d in worked)
    if len(worked) >= MIN_HISTORY_DAYS and hours > 0 and done > 0:
        rate, rate_method = done / hours, "history"
    elif clinician_hours_so_far >= 1.0 and completions_today >= MIN_TODAY_TAKEN:
        rate, rate_method = completions_today / clinician_hours_so_far, "today"
    else:
        rate, rate_method = default_rate, "default"
    completions = min(backlog_now + arrivals, rate * clinician_hours_ahead)
    left = max(0.0, backlog_now + arrivals - completions)
    return Forecast(
        at=at,
        closes_at=closes_at,
        backlog_now=backlog_now,
        arrivals=arrivals,
        arrivals_method=method,
        history_days=len(history),
        clinician_hours=clinician_hours_ahead,
        rate=rate,
        rate_method=rate_method,
        completions=completions,
        backlog_at_close=left,
        extra_clinician_hours=left / rate if rate > 0 else 0.0,
    )
