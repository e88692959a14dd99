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

    def _shift_list(self, t: datetime) -> list[ShiftPlan]:
        d = t.astimezone(zone(TZ)).date()
        return self.shifts.get(d, []) + self.shifts.get(d - timedelta(days=1), [])

    def present(self, unit_id: str, t: datetime, profs: Collection[str] | None = None) -> list[str]:
        out = set()
        for sp in self._shift_list(t):
            if sp.cancelled or sp.unit_id != unit_id:
                continue
            if profs is not None and sp.profession not in profs:
                continue
            if sp.start <= t < sp.end:
                out.add(sp.staff_id)
        return sorted(out)

    def presence_end(self, staff_id: str, unit_id: str, t: datetime) -> datetime | None:
        end = None
        for sp in self._shift_list(t):
            if sp.staff_id == staff_id and sp.unit_id == unit_id and not sp.cancelled and sp.start <= t < sp.end:
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
        iv = unit_intervals(self.units[unit_id], d)
        return (iv[0][0], iv[-1][1]) if iv else None

    def next_open(self, unit_id: str, t: datetime) -> datetime | None:
        """``t`` if the unit is open then, else the next opening the same local day."""
        d = t.astimezone(zone(TZ)).date()
        for a, b in unit_intervals(self.units[unit_id], d):
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
