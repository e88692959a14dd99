"""The chart of waiting care cases per hour (issue 13 §4), assembled from the store: today's
hours of opening, today's values up to ``at`` and the typical day of the same weekday over the
last four weeks (``domain.curve`` says how each is counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..domain.calendar import UnitCalendar
from ..domain.curve import DayCurve, Waiting, hourly, interval, typical
from ..domain.forecast import HISTORY_WEEKS
from ..domain.models import Unit


def _hours(cal: UnitCalendar, opens: datetime, closes: datetime) -> list[datetime]:
    """The starts of the hours from opening's local hour to the last hour before closing,
    stepped in real hours (a unit open over a daylight-saving change gets 23 or 25 of them a
    day, each once: stepping the wall clock would repeat 03 in spring and drop the second 02)."""
    t = opens.astimezone(cal.tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    out: list[datetime] = []
    while t < closes:
        out.append(t.astimezone(cal.tz))
        t += timedelta(hours=1)
    return out


def _day_values(store: object, unit: Unit, hours: list[datetime], until: datetime | None) -> list[float | None]:
    if not hours:
        return []
    a, b = hours[0], hours[-1] + timedelta(hours=1)
    rows = store.care_waits(unit.id, a, min(b, until) if until is not None else b)  # type: ignore[attr-defined]
    return hourly(Waiting(interval(c, r, x) for c, r, x in rows), hours, until)


def day_curve(store: object, unit: Unit, at: datetime) -> DayCurve | None:
    """Today's chart for ``unit`` at ``at``; None when it does not open today."""
    cal = UnitCalendar(unit)
    today = cal.local_date(at)
    opens, closes = cal.day_open(today), cal.day_close(today)
    if opens is None or closes is None:
        return None
    hours = _hours(cal, opens, closes)
    now = _day_values(store, unit, hours, at) if at >= hours[0] else [None] * len(hours)
    past: list[list[float | None]] = []
    for k in range(1, HISTORY_WEEKS + 1):
        day = today - timedelta(days=7 * k)
        same = [datetime.combine(day, h.astimezone(cal.tz).time(), cal.tz) for h in hours]
        values = _day_values(store, unit, same, None)
        if any(v for v in values):  # nothing kept of that day (before the store's history): no day of zeros
            past.append(values)
    return DayCurve(
        hours=tuple(h.astimezone(cal.tz).strftime("%H") for h in hours),
        today=tuple(now),
        typical=tuple(typical(past)) if past else tuple(None for _ in hours),
        history_days=len(past),
    )
