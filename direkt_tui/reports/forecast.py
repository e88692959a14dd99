"""The forecast for closing, assembled from the store (read side, shared by the report, the
TUI and the backtest): today's cases from the snapshot, the same weekday of the last four weeks
from the store's kept cases and shifts, the formula from ``domain.forecast``.

What an earlier day gives does not change within the day: it is read once per store, unit and
day (:func:`past_days` keeps it until the store gains a case or a shift on that day, as a first
sync's history does), and only the arrivals after the instant's local time are counted from it
on each call, with the cases waiting then and at that day's closing (``ClosingWaits``)."""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..domain.calendar import UnitCalendar
from ..domain.curve import interval
from ..domain.forecast import (
    DEFAULT_CASES_PER_CLINICIAN_HOUR,
    HISTORY_WEEKS,
    RECENT_HOURS,
    ClosingWaits,
    Forecast,
    PastDay,
    forecast,
    in_backlog,
)
from ..domain.models import CLINICAL, Case, Shift, Snapshot, Unit


@dataclass(frozen=True)
class _Day:
    """What one earlier day of a unit gives, whatever the time of day asked about."""

    closes: datetime
    arrivals: tuple[float, ...]  # care arrivals within that day's opening, epoch seconds, sorted
    taken: int
    hours: float
    waits: ClosingWaits  # its care cases' waits against its closing (the history's late term)


# per store (weakly: a closed store's entries go with it): its history mark, and per
# (unit, unit version, day) that day's figures (None: closed, or nothing kept of it)
_DAYS: weakref.WeakKeyDictionary[object, tuple[tuple[int, int], dict[tuple, _Day | None]]] = weakref.WeakKeyDictionary()


# two board builds can run at once (a newer one does not stop an older one's thread): the
# held days are read, filtered and filled under this lock (the store reads themselves are not)
_LOCK = threading.Lock()


def _held(store: object) -> dict[tuple, _Day | None]:
    """The earlier days read from ``store``, less those it has gained cases or shifts on since."""
    with _LOCK:
        held = _DAYS.get(store)
        mark, changed = store.history_changes(held[0] if held else None)  # type: ignore[attr-defined]
        if held is None or changed is None:
            held = (mark, {})
        elif changed:
            near = {(u, date.fromisoformat(d) + timedelta(days=k)) for u, d in changed for k in (-1, 0, 1)}
            held = (mark, {key: v for key, v in held[1].items() if (key[0], key[2]) not in near})
        else:
            return held[1]
        _DAYS[store] = held
        return held[1]


def _day(store: object, held: dict[tuple, _Day | None], unit: Unit, cal: UnitCalendar, day: date) -> _Day | None:
    key = (unit.id, unit.version, day)  # a unit's hours change with its version
    if key in held:
        return held[key]
    opens, closes = cal.day_open(day), cal.day_close(day)
    out = None
    if opens is not None and closes is not None:
        # the care cases that could be waiting within its opening; those that arrived in it are
        # its arrivals (taken after they arrived, so never before it opened)
        rows = store.care_waits(unit.id, opens, closes)  # type: ignore[attr-defined]
        arrivals = tuple(sorted(c.timestamp() for c, _, _ in rows if c >= opens))
        ((_, taken),) = store.care_flow(unit.id, [(opens, closes)])  # type: ignore[attr-defined]
        hours = store.scheduled_hours(unit.id, cal.intervals_on(day), CLINICAL)  # type: ignore[attr-defined]
        if hours or arrivals or taken:  # else nothing kept of that day (before the store's history)
            out = _Day(closes, arrivals, taken, hours, ClosingWaits((interval(*r) for r in rows), closes))
    with _LOCK:
        held[key] = out
    return out


def past_days(store: object, unit: Unit, cal: UnitCalendar, at: datetime) -> list[PastDay]:
    """The unit's same-weekday days of the last :data:`HISTORY_WEEKS` weeks that were open."""
    today = cal.local_date(at)
    local_at = at.astimezone(cal.tz)
    held = _held(store)
    out: list[PastDay] = []
    for k in range(1, HISTORY_WEEKS + 1):
        day = today - timedelta(days=7 * k)
        d = _day(store, held, unit, cal, day)
        if d is None:
            continue
        same = datetime.combine(day, local_at.timetz().replace(tzinfo=None), cal.tz)
        same_time, close = same.timestamp(), d.closes.timestamp()
        after = len(d.arrivals) - bisect_left(d.arrivals, same_time) if same_time < close else 0
        last_hour = len(d.arrivals) - bisect_left(d.arrivals, close - 3600)
        out.append(PastDay(after, d.taken, d.hours, last_hour, *d.waits.at(same)))
    return out


# the snapshot's cases and shifts per unit, for the snapshot last asked about (one pass each)
_BY_UNIT: list[tuple[Snapshot, dict[str, list[Case]], dict[str, list[Shift]]]] = []


def _of_unit(snap: Snapshot, unit_id: str) -> tuple[list[Case], list[Shift]]:
    entry = _BY_UNIT[0] if _BY_UNIT else None
    if entry is None or entry[0] is not snap:  # (a local entry: safe if another thread swaps it)
        cases: dict[str, list[Case]] = {}
        for c in snap.cases:
            cases.setdefault(c.unit_id, []).append(c)
        shifts: dict[str, list[Shift]] = {}
        for s in snap.shifts:
            shifts.setdefault(s.unit_id, []).append(s)
        entry = (snap, cases, shifts)
        _BY_UNIT[:] = [entry]
    return entry[1].get(unit_id, []), entry[2].get(unit_id, [])


def _clinician_hours_split(
    shifts: list[Shift], periods: list[tuple[datetime, datetime]], at: datetime
) -> tuple[float, float]:
    """``clinician_hours`` within today's opening before and after ``at``, in one pass."""
    t = at.timestamp()
    spans = [(a.timestamp(), b.timestamp()) for a, b in periods]
    before = after = 0.0
    for s in shifts:
        if s.cancelled or s.profession not in CLINICAL:
            continue
        s0, s1 = s.start.timestamp(), s.end.timestamp()
        for a, b in spans:
            lo, hi = max(a, s0), min(b, s1)
            if hi > lo:
                before += max(0.0, min(hi, t) - lo)
                after += max(0.0, hi - max(lo, t))
    return before / 3600, after / 3600


def unit_forecast(
    store: object,
    snap: Snapshot,
    unit: Unit,
    at: datetime,
    rate: float = DEFAULT_CASES_PER_CLINICIAN_HOUR,
    cal: UnitCalendar | None = None,
) -> Forecast | None:
    """The unit's forecast for today's closing at ``at``; None when it is closed for the day.
    ``cal``: the unit's calendar, when the caller keeps one (the rule engine's)."""
    cal = cal or UnitCalendar(unit)
    today = cal.local_date(at)
    opens, closes = cal.day_open(today), cal.day_close(today)
    if opens is None or closes is None or at >= closes:
        return None
    cases, shifts = _of_unit(snap, unit.id)
    start = max(opens, min(at, closes))
    recent_from = max(opens, at - timedelta(hours=RECENT_HOURS))
    arrivals_recent, taken_today, backlog_now = 0, 0, 0
    waits_recent: list[float] = []
    waits_today: list[float] = []
    seconds, opens_ts = cal.working_seconds_ts, opens.timestamp()
    for c in cases:  # one pass: the backlog, arrivals, those taken
        if c.kind != "care":
            continue
        if in_backlog(c):
            backlog_now += 1
        created = c.created_at
        if recent_from <= created < at:
            arrivals_recent += 1
        got = c.received_at
        if got is not None and opens <= got < at:
            taken_today += 1
            wait = seconds(max(created.timestamp(), opens_ts), got.timestamp()) / 3600
            waits_today.append(wait)
            if got >= recent_from:
                waits_recent.append(wait)
    so_far, ahead = _clinician_hours_split(shifts, cal.intervals_on(today), at)
    return forecast(
        at,
        closes.astimezone(cal.tz),  # the report's instants are in the unit's local offset
        backlog_now=backlog_now,
        clinician_hours_ahead=ahead,
        history=past_days(store, unit, cal, at),
        arrivals_recent=arrivals_recent,
        recent_hours=(start - recent_from).total_seconds() / 3600,
        hours_left=(closes - start).total_seconds() / 3600,
        default_rate=rate,
        waits_recent=waits_recent,
        waits_today=waits_today,
        completions_today=taken_today,
        clinician_hours_so_far=so_far,
    )
