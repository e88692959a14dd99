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
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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

    def to_json(self, tz: ZoneInfo | str) -> dict[str, Any]:
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
    created_ts = case.created_at.timestamp()
    return deadline_parts(case, at, at.timestamp(), cal, limit_minutes, fraction, period, created_ts)[0]


def deadline_parts(
    case: Case,
    at: datetime,
    at_ts: float,
    cal: UnitCalendar,
    limit_minutes: int,
    fraction: float,
    period: tuple[float, float] | None,
    created_ts: float,
) -> tuple[Deadline, float, float, float]:
    """:func:`case_deadline` (``at_ts``: ``at`` in epoch seconds), and the working seconds on each
    clock that runs — waiting, reply, role_queue; -1.0: it does not run — as
    ``cal.working_seconds_ts`` gives them (not rounded): the rules compare them with the limit."""
    status = case.status
    seconds = cal.working_seconds_ts
    clock: str | None = None
    since: datetime | None = None
    since_ts = 0.0
    elapsed = waiting_e = reply_e = role_e = -1.0
    if status == "waiting":
        clock, since = "waiting", case.created_at
        since_ts = created_ts
        elapsed = waiting_e = seconds(since_ts, at_ts)
    elif status == "started":
        last_patient = case.last_patient_message_at
        if last_patient is not None:
            last_staff = case.last_staff_message_at  # the patient awaits a reply (Case.patient_awaits_reply)
            if last_staff is None or last_patient > last_staff:
                lp_ts = last_patient.timestamp()
                reply_e = seconds(lp_ts, at_ts)
                if reply_e > elapsed:
                    clock, since, since_ts, elapsed = "reply", last_patient, lp_ts, reply_e
    owner = case.owner
    if owner is not None and owner.type == "role":
        role_since = case.owner_since or case.received_at or case.created_at
        role_ts = role_since.timestamp()
        role_e = seconds(role_ts, at_ts)
        if role_e > elapsed:
            clock, since, since_ts, elapsed = "role_queue", role_since, role_ts, role_e
    if since is None:
        return NO_CLOCK, waiting_e, reply_e, role_e
    # working seconds, to the microsecond the store keeps (no float noise at a minute's edge)
    if not elapsed.is_integer():  # a whole number of seconds is its own rounding (and common)
        elapsed = round(elapsed, 6)
    limit_s = limit_minutes * 60
    left_s = limit_s - elapsed
    due: datetime | None
    # the shortcut (due = at + time left) holds only for a clock that started by ``at``: a
    # ``since`` after ``at`` (a platform clock ahead of ours) has its due from ``since`` itself
    if period is not None and since_ts <= at_ts and period[0] < at_ts + left_s <= period[1]:
        due = datetime.fromtimestamp(at_ts + left_s, UTC)
    elif limit_s > 0:
        due_ts = cal.add_working_seconds_ts(since_ts, float(limit_s))
        due = None if due_ts is None else datetime.fromtimestamp(due_ts, UTC)
    else:
        due = since
    # positional (the field order): keywords cost a little on every open case
    dl = Deadline(
        clock,
        since,
        due,
        limit_minutes,
        elapsed,
        int((limit_s - elapsed) / 60),  # minutes_left
        fraction * limit_s <= elapsed <= limit_s,  # is_at_risk
    )
    return dl, waiting_e, reply_e, role_e
