"""Swedish holidays (public + de-facto: Midsommarafton, Julafton, Nyårsafton) and working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from .timeutil import local_instant, zone


@lru_cache(maxsize=64)
def _holidays_for(year: int):
    import holidays

    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def is_holiday(d: date) -> bool:
    return d in _holidays_for(d.year)


def holiday_name(d: date) -> str | None:
    return _holidays_for(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Monday–Friday and not a Swedish public or de-facto holiday."""
    return d.isoweekday() <= 5 and not is_holiday(d)


def default_start(now: datetime, tz: str = "Europe/Stockholm", at: str = "07:30") -> datetime:
    """The most recent working day's ``at`` (local) at or before ``now``."""
    d = now.astimezone(zone(tz)).date()
    for _ in range(40):
        if is_working_day(d):
            t = local_instant(d, at, tz)
            if t <= now:
                return t
        d -= timedelta(days=1)
    raise RuntimeError("no working day in the last 40 days")  # pragma: no cover


def unit_intervals(unit: dict, d: date) -> list[tuple[datetime, datetime]]:
    """Opening intervals (UTC instants) of a unit (API dict) on local date ``d``.

    Weekly hours by ISO weekday, replaced by ``special_hours`` for the date; closed on the
    unit's ``closed_dates`` and on Swedish public/de-facto holidays unless ``special_hours``
    opens the date explicitly."""
    tz = unit.get("timezone") or "Europe/Stockholm"
    key = d.isoformat()
    special = unit.get("special_hours") or {}
    if key in special:
        hours = special[key]
    elif key in (unit.get("closed_dates") or []) or is_holiday(d):
        hours = []
    else:
        hours = (unit.get("opening_hours") or {}).get(str(d.isoweekday()), [])
    return [(local_instant(d, h["open"], tz), local_instant(d, h["close"], tz)) for h in hours]
