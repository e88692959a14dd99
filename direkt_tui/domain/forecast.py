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
    late             = the cases still waiting at closing however many work, with history
                       (late_method "history"), over the same weekday in the last 4 weeks:
                         late_arrivals = the mean of the care cases that arrived after the
                                         same local time and were still waiting at that day's
                                         closing
                         carry_share   = of the care cases waiting at the same local time on
                                         those days, the share still waiting at closing (all
                                         days pooled: Σ still waiting ÷ Σ waiting; 0 if none)
                         late          = late_arrivals + backlog_now × carry_share
                       without history (late_method "today"): arrival_rate × min(wait, hours
                       to close): the cases that arrive within one wait of closing are still
                       waiting at closing (Little's law); with no wait or no arrival rate, the
                       backlog as it is now (late_method and method "naive")
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

A case waits at ``T`` when it had arrived (created_at <= T) and neither received_at nor
closed_at <= T (``domain.curve``). The history's late term counts what those days really had
left at closing — mostly cases the clinicians do not take near closing (the less urgent ones),
which a wait measured from the cases that were taken misses. The cases already waiting at
``t`` are today's own count (backlog_now), not the history's: so the history gives of them only
the share still waiting at closing, and the history's cases waiting at ``t`` are not added.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .curve import Interval
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
    waiting_then: int = 0  # care cases waiting at the same local time
    carried: int = 0  # of those, still waiting at that day's closing
    late_after: int = 0  # care cases that arrived after the same local time, still waiting at closing


class ClosingWaits:
    """One earlier day's care cases that could be waiting during its opening (their waits,
    :func:`~.curve.interval`) against its closing: for any instant of the day, how many were
    waiting then (as :class:`~.curve.Waiting` counts), how many of those were still waiting at
    closing, and how many still waiting at closing arrived after it. Built once per day; each
    question is three binary searches over epoch seconds."""

    def __init__(self, cases: Iterable[Interval], close: datetime):
        end = self.close = close.timestamp()
        pairs = [(c.arrived.timestamp(), None if c.taken is None else c.taken.timestamp()) for c in cases]
        self._arrived = sorted(a for a, _ in pairs)
        self._taken = sorted(t for _, t in pairs if t is not None)
        # arrivals of the cases still waiting at closing, sorted
        self._at_close = sorted(a for a, t in pairs if a <= end and (t is None or t > end))

    def at(self, t: datetime) -> tuple[int, int, int]:
        """(waiting at ``t``, of them still waiting at closing, arrived after ``t`` and still
        waiting at closing); an instant after closing counts as closing."""
        ts = min(t.timestamp(), self.close)
        waiting = bisect_right(self._arrived, ts) - bisect_right(self._taken, ts)
        carried = bisect_right(self._at_close, ts)  # arrived by t, waiting at closing: so waiting at t too
        return waiting, carried, len(self._at_close) - carried


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
    late_method: str = "today"  # history | today | naive: how the late term was made
    late_arrivals: float = 0.0  # of late: cases arriving after now still waiting at closing
    late_carried: float = 0.0  # of late: of today's backlog, still waiting at closing
    carry_share: float | None = None  # history: the share of the waiting still waiting at closing

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
            "late_method": self.late_method,
            "late_arrivals": round(self.late_arrivals, 1),
            "late_carried": round(self.late_carried, 1),
            "carry_share": None if self.carry_share is None else round(self.carry_share, 3),
            "clinician_hours": round(self.clinician_hours, 2),
            "cases_per_clinician_hour": round(self.rate, 2),
            "rate_method": self.rate_method,
            "capacity": round(self.capacity, 1),
            "completions": round(self.completions, 1),
            "backlog_at_close": round(self.backlog_at_close, 1),
            "extra_clinician_hours": round(self.extra_clinician_hours, 1),
        }


def in_backlog(c: Case) -> bool:
    """A waiting or queued (a profession's queue) care case: one nobody has taken yet."""
    if c.kind != "care" or c.status == "closed":
        return False
    return c.status == "waiting" or (c.owner is not None and c.owner.type == "role")


def backlog(cases: Iterable[Case]) -> int:
    """The backlog: the cases :func:`in_backlog`."""
    return sum(1 for c in cases if in_backlog(c))


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
    share: float | None = None
    if method == "history":
        late_arrivals = sum(d.late_after for d in history) / len(history)
        then = sum(d.waiting_then for d in history)
        share = sum(d.carried for d in history) / then if then else 0.0
        carried = backlog_now * share
        how, late_method = "late", "history"
    elif wait is None or method == "none":
        late_arrivals, carried, how, late_method = 0.0, float(backlog_now), "naive", "naive"
    else:
        late_arrivals, carried, how, late_method = arrival_rate * min(wait, hours_left), 0.0, "late", "today"
    late = late_arrivals + carried
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
        late_method=late_method,
        late_arrivals=late_arrivals,
        late_carried=carried,
        carry_share=share,
    )
