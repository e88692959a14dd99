"""The generated day's state and the questions its planners ask of it.

:class:`DayPlan` holds the generated units, staff and planned shifts, the queue of planned
events and the cases the engine never touches; the planners (``staffing``, ``arrivals``,
``scripts``) and the event handlers (``handlers``) read and extend it. ``engine.DayEngine``
adds the loop that plans each date and applies due events.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .calendar import unit_intervals
from .tables import TZ
from .timeutil import local_instant, zone

# a planner's ``ev(at, kind, **data)``: plan one event
PlanEvent = Callable[..., None]


@dataclass(order=True)
class Ev:
    ts: float
    key: str
    kind: str = field(compare=False)
    data: dict = field(compare=False)


@dataclass
class ShiftPlan:
    id: str
    unit_id: str
    staff_id: str
    profession: str
    start: datetime
    end: datetime  # effective end (after an early leave)
    planned_end: datetime
    cancelled: bool = False


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def u(rng: random.Random, a: float, b: float) -> timedelta:
    """A uniformly drawn number of minutes between ``a`` and ``b``."""
    return timedelta(minutes=rng.uniform(a, b))


def rt(t: datetime) -> datetime:
    """Round to whole seconds (timestamps look like a real platform's)."""
    return t.replace(microsecond=0)


class DayPlan:
    """People, shifts and planned events of a generated world (see ``engine.DayEngine``)."""

    def __init__(
        self, seed: int, units: list[dict], roles: dict[str, str], staff: list[dict], on_leave: set[str]
    ) -> None:
        self.seed = seed
        self.units = {un["id"]: un for un in units}
        self.roles = roles  # unit_id -> role
        self.by_role = {r: uid for uid, r in roles.items()}
        self.staff = {s["id"]: s for s in staff}
        self.staff_prof = {s["id"]: s["professions"][0] for s in staff}
        self.on_leave = on_leave
        self.unit_staff: dict[str, list[str]] = {}
        for s in staff:
            self.unit_staff.setdefault(s["unit_id"], []).append(s["id"])
        self.heap: list[Ev] = []
        self.shifts: dict[date, list[ShiftPlan]] = {}
        self.static: set[str] = set()  # preloaded cases the engine never touches
        self.kept: set[str] = set()  # earlier weeks' cases and shifts (``history``): never purged
        # caches of what the planners ask most (same answers, fewer datetime calls)
        self._dates: dict[int, tuple[date, date]] = {}  # UTC hour -> (local date, the day before)
        self._by_day: dict[date, tuple[list[ShiftPlan] | None, dict, dict]] = {}
        self._intervals: dict[tuple[str, date], list[tuple[datetime, datetime]]] = {}
        self.day: date | None = None  # the local date being planned (or handled at opening)

    def push(self, at: datetime, key: str, kind: str, **data: Any) -> None:
        heapq.heappush(self.heap, Ev(rt(at).timestamp(), key, kind, data))

    # ------------------------------------------------------------------ questions
    def activated(self) -> list[str]:
        return [uid for uid, un in self.units.items() if un.get("activated")]

    def colleagues(self, unit_id: str, profession: str, *, at_work: bool) -> list[str]:
        """The unit's staff of ``profession`` in roster order (``at_work``: not those on long leave)."""
        return [
            s
            for s in self.unit_staff[unit_id]
            if self.staff_prof[s] == profession and not (at_work and s in self.on_leave)
        ]

    def forget_day(self, d: date) -> None:
        """Drop a long-past date's planned shifts (and what was cached of them)."""
        self.shifts.pop(d, None)
        self._by_day.pop(d, None)
        for key in [k for k in self._intervals if k[1] == d]:
            del self._intervals[key]

    def _days(self, t: datetime) -> tuple[date, date]:
        """The local date of ``t`` and the day before (Stockholm's offsets are whole hours, so
        the local date is the same through each UTC hour)."""
        h = int(t.timestamp() // 3600)
        hit = self._dates.get(h)
        if hit is None:
            d = t.astimezone(zone(TZ)).date()
            hit = self._dates[h] = (d, d - timedelta(days=1))
        return hit

    def _day_index(self, d: date) -> tuple[dict[tuple[str, str], list[ShiftPlan]], dict[str, list[ShiftPlan]]]:
        """The date's shifts that were not cancelled, by (staff, unit) and by unit (rebuilt
        when the date's plan is replaced)."""
        plans = self.shifts.get(d)
        hit = self._by_day.get(d)
        if hit is None or hit[0] is not plans:
            by_staff: dict[tuple[str, str], list[ShiftPlan]] = {}
            by_unit: dict[str, list[ShiftPlan]] = {}
            for sp in plans or ():
                if not sp.cancelled:
                    by_staff.setdefault((sp.staff_id, sp.unit_id), []).append(sp)
                    by_unit.setdefault(sp.unit_id, []).append(sp)
            hit = self._by_day[d] = (plans, by_staff, by_unit)
        return hit[1], hit[2]

    def present(self, unit_id: str, t: datetime, profs: Collection[str] | None = None) -> list[str]:
        out = set()
        for d in self._days(t):
            for sp in self._day_index(d)[1].get(unit_id, ()):
                if profs is not None and sp.profession not in profs:
                    continue
                if sp.start <= t < sp.end:
                    out.add(sp.staff_id)
        return sorted(out)

    def presence_end(self, staff_id: str, unit_id: str, t: datetime) -> datetime | None:
        end = None
        for d in self._days(t):
            for sp in self._day_index(d)[0].get((staff_id, unit_id), ()):
                if sp.start <= t < sp.end:
                    end = sp.end if end is None else max(end, sp.end)
        return end

    def pick(
        self,
        rng: random.Random,
        unit_id: str,
        t: datetime,
        profs: Collection[str],
        min_left: float = 20,
        exclude: Collection[str] = (),
    ) -> str | None:
        cands = [s for s in self.present(unit_id, t, profs) if s not in exclude]
        cands = [s for s in cands if (self.presence_end(s, unit_id, t) or t) - t >= timedelta(minutes=min_left)]
        return rng.choice(cands) if cands else None

    def day_span(self, unit_id: str, d: date) -> tuple[datetime, datetime] | None:
        """First opening and last closing of the unit on local date ``d`` (None: closed)."""
        iv = self.intervals(unit_id, d)
        return (iv[0][0], iv[-1][1]) if iv else None

    def intervals(self, unit_id: str, d: date) -> list[tuple[datetime, datetime]]:
        """The unit's opening intervals on local date ``d`` (the generated units never change)."""
        key = (unit_id, d)
        iv = self._intervals.get(key)
        if iv is None:
            iv = self._intervals[key] = unit_intervals(self.units[unit_id], d)
        return iv

    def next_open(self, unit_id: str, t: datetime) -> datetime | None:
        """``t`` if the unit is open then, else the next opening the same local day."""
        for a, b in self.intervals(unit_id, self._days(t)[0]):
            if a <= t < b:
                return t
            if t < a:
                return a
        return None

    def scripted_day(self, uid: str, d: date) -> bool:
        """Whether the scripted situations run at this unit on this date (normal hours)."""
        span = self.day_span(uid, d)
        if span is None:
            return False
        first_open, last_close = span
        return first_open <= local_instant(d, "08:30", TZ) and last_close >= local_instant(d, "16:00", TZ)
