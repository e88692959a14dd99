"""The forecast for closing, assembled from the store (read side, shared by the report, the
TUI and the backtest): today's cases from the snapshot, the same weekday of the last four weeks
from the store's kept cases and shifts, the formula from ``domain.forecast``."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.calendar import UnitCalendar
from ..domain.forecast import (
    DEFAULT_CASES_PER_CLINICIAN_HOUR,
    HISTORY_WEEKS,
    Forecast,
    PastDay,
    backlog,
    clinician_hours,
    forecast,
)
from ..domain.models import Snapshot, Unit


def past_days(store: object, unit: Unit, cal: UnitCalendar, at: datetime) -> list[PastDay]:
    """The unit's same-weekday days of the last :data:`HISTORY_WEEKS` weeks that were open."""
    today = cal.local_date(at)
    local_at = at.astimezone(cal.tz)
    out: list[PastDay] = []
    for k in range(1, HISTORY_WEEKS + 1):
        day = today - timedelta(days=7 * k)
        opens, closes = cal.day_open(day), cal.day_close(day)
        if opens is None or closes is None:
            continue
        same_time = datetime.combine(day, local_at.timetz().replace(tzinfo=None), cal.tz)
        (after, _), (_, taken) = store.care_flow(unit.id, [(max(same_time, opens), closes), (opens, closes)])  # type: ignore[attr-defined]
        shifts = store.shifts_between(opens, closes, unit.id)  # type: ignore[attr-defined]
        hours = sum(clinician_hours(shifts, unit.id, a, b) for a, b in cal.intervals_on(day))
        if hours == 0 and after == 0 and taken == 0:
            continue  # nothing kept of that day (before the store's history): not a day of zeros
        out.append(PastDay(after if same_time < closes else 0, taken, hours))
    return out


def unit_forecast(
    store: object, snap: Snapshot, unit: Unit, at: datetime, rate: float = DEFAULT_CASES_PER_CLINICIAN_HOUR
) -> Forecast | None:
    """The unit's forecast for today's closing at ``at``; None when it is closed for the day."""
    cal = UnitCalendar(unit)
    today = cal.local_date(at)
    opens, closes = cal.day_open(today), cal.day_close(today)
    if opens is None or closes is None or at >= closes:
        return None
    cases = [c for c in snap.cases if c.unit_id == unit.id]
    start = max(opens, min(at, closes))
    arrivals_today = sum(1 for c in cases if c.kind == "care" and opens <= c.created_at < at)
    taken_today = sum(1 for c in cases if c.kind == "care" and c.received_at and opens <= c.received_at < at)
    periods = cal.intervals_on(today)
    ahead = sum(clinician_hours(snap.shifts, unit.id, max(a, at), b) for a, b in periods if b > at)
    so_far = sum(clinician_hours(snap.shifts, unit.id, a, min(b, at)) for a, b in periods if a < at)
    return forecast(
        at,
        closes.astimezone(cal.tz),  # the report's instants are in the unit's local offset
        backlog_now=backlog(cases),
        clinician_hours_ahead=ahead,
        history=past_days(store, unit, cal, at),
        arrivals_today=arrivals_today,
        completions_today=taken_today,
        clinician_hours_so_far=so_far,
        open_hours_so_far=cal.working_seconds(opens, start) / 3600,
        open_hours_left=cal.working_seconds(start, closes) / 3600,
        default_rate=rate,
    )
