"""Deadlines (domain.md §4b): each open case's running clock, its due instant and countdown. Pure.

An open case has at most one running **clock**:

| clock        | runs when                                                    | since                                              |
|--------------|--------------------------------------------------------------|----------------------------------------------------|
| ``waiting``    | ``status = waiting``                                         | ``created_at``                                      |
| ``reply``      | ``status = started`` and the patient awaits a reply          | ``last_patient_message_at``                         |
| ``role_queue`` | the owner is a role (a profession queue)                     | ``owner_since``, else ``received_at``, else ``created_at`` |

For each clock that runs, ``due = add_working_time(since, limit)`` with the response limit of the
case's priority; the case's clock is the one with the earliest due (ties: the order above);
``due_at`` is None when the unit has no opening hours ahead. ``elapsed`` is the working time from ``since`` to the
instant; ``minutes_left`` = limit − elapsed in minutes, rounded toward zero (negative when
overdue); the case is **at risk** when ``at_risk_fraction × limit ≤ elapsed ≤ limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .calendar import UnitCalendar
from .models import Case
from .timeutil import UTC, to_local_text

CLOCKS: tuple[str, ...] = ("waiting", "reply", "role_queue")


@dataclass(slots=True)
class Deadline:
    """One open case's deadline at an instant; ``clock`` None: no clock runs (nothing else is set).
    Read-only by convention: not frozen, as a frozen dataclass costs about 2 µs more to build and
    every evaluation builds one per open case."""

    clock: str | None
    since: datetime | None
    due_at: datetime | None  # None also when the unit has no opening hours ahead
    limit_minutes: int | None
    elapsed_seconds: float  # working seconds on the clock from ``since`` to the instant
    minutes_left: int | None
    at_risk: bool

    @property
    def elapsed_minutes(self) -> float:
        return self.elapsed_seconds / 60.0

    @property
    def overdue(self) -> bool:
        return self.limit_minutes is not None and self.elapsed_seconds > self.limit_minutes * 60

    def to_json(self, tz: str) -> dict[str, Any]:
        """The deadline fields of a report case (report.md), instants in the unit's offset."""
        return {
            "clock": self.clock,
            "since": to_local_text(self.since, tz),
            "due_at": to_local_text(self.due_at, tz),
            "minutes_left": self.minutes_left,
            "at_risk": self.at_risk,
        }


NO_CLOCK = Deadline(None, None, None, None, 0.0, None, False)


def running_clocks(case: Case) -> list[tuple[str, datetime]]:
    """The clocks that run for an open ``case``, as (clock, since), in the tie order of §4b."""
    out: list[tuple[str, datetime]] = []
    if case.status == "waiting":
        out.append(("waiting", case.created_at))
    last_patient = case.last_patient_message_at
    if case.status == "started" and last_patient is not None and case.patient_awaits_reply:
        out.append(("reply", last_patient))
    owner = case.owner
    if owner is not None and owner.type == "role":
        out.append(("role_queue", case.owner_since or case.received_at or case.created_at))
    return out


def minutes_left(limit_minutes: int, elapsed_seconds: float) -> int:
    """limit − elapsed in minutes, rounded toward zero (negative when overdue)."""
    return int((limit_minutes * 60 - elapsed_seconds) / 60)


def is_at_risk(limit_minutes: int, elapsed_seconds: float, fraction: float) -> bool:
    """``fraction × limit ≤ elapsed ≤ limit`` (at risk, not yet overdue)."""
    limit_s = limit_minutes * 60
    return fraction * limit_s <= elapsed_seconds <= limit_s


def case_deadline(
    case: Case,
    at: datetime,
    cal: UnitCalendar,
    limit_minutes: int,
    fraction: float,
    period: tuple[float, float] | None = None,
) -> Deadline:
    """The deadline of the open ``case`` at ``at`` in its unit's calendar ``cal``, with the response
    limit of its priority (working minutes) and the unit's ``at_risk_fraction``. ``period``: the
    opening interval containing ``at`` (epoch seconds) when the caller knows it (a shortcut, same
    result).

    Every clock has the same limit, so the earliest due is the clock that has run longest in
    working time (equal working time: equal dues, the table's order decides); only the chosen
    clock's due is computed. A due within the current opening interval is ``at`` plus the time
    left (working time runs with the clock there); any other goes through ``add_working_time``.
    """
    status = case.status
    at_ts = at.timestamp()
    clock: str | None = None
    since: datetime | None = None
    elapsed = -1.0
    if status == "waiting":
        clock, since = "waiting", case.created_at
        elapsed = cal.working_seconds_ts(since.timestamp(), at_ts)
    last_patient = case.last_patient_message_at
    if status == "started" and last_patient is not None and case.patient_awaits_reply:
        e = cal.working_seconds_ts(last_patient.timestamp(), at_ts)
        if e > elapsed:
            clock, since, elapsed = "reply", last_patient, e
    owner = case.owner
    if owner is not None and owner.type == "role":
        role_since = case.owner_since or case.received_at or case.created_at
        e = cal.working_seconds_ts(role_since.timestamp(), at_ts)
        if e > elapsed:
            clock, since, elapsed = "role_queue", role_since, e
    if since is None:
        return NO_CLOCK
    # working seconds, to the microsecond the store keeps (no float noise at a minute's edge)
    elapsed = round(elapsed, 6)
    limit_s = limit_minutes * 60
    left_s = limit_s - elapsed
    due: datetime | None
    # the shortcut (due = at + time left) holds only for a clock that started by ``at``: a
    # ``since`` after ``at`` (a platform clock ahead of ours) has its due from ``since`` itself
    if period is not None and since.timestamp() <= at_ts and period[0] < at_ts + left_s <= period[1]:
        due = datetime.fromtimestamp(at_ts + left_s, UTC)
    else:
        due = cal.add_working_time(since, timedelta(seconds=limit_s))
    return Deadline(
        clock=clock,
        since=since,
        due_at=due,
        limit_minutes=limit_minutes,
        elapsed_seconds=elapsed,
        minutes_left=minutes_left(limit_minutes, elapsed),
        at_risk=is_at_risk(limit_minutes, elapsed, fraction),
    )
