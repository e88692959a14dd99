"""The engine of a generated live day: plans each local date and applies due events.

Deterministic for a seed: each local date's plan of events (shifts, arrivals, every step of
every case, coordinator changes, the scripted situations a coordinator must catch) is drawn
from ``Random(f"{seed}:{date}")`` alone, independent of request timing. The engine applies the
events lazily, in (time, key) order, up to the simulated now on each request. Events whose
preconditions no longer hold (a case closed, reassigned or moved by a client, an owner gone)
are adapted or skipped; the actor of a case step is always the case's current owner.
"""

from __future__ import annotations

import heapq
import random
from datetime import date, datetime, timedelta
from typing import Any

from .arrivals import initial_backlog, plan_arrivals, scripted_arrivals
from .handlers import HANDLERS
from .plan import DayPlan, u
from .scripts import plan_case
from .staffing import plan_coordinators, plan_shifts
from .tables import TZ
from .timeutil import UTC, local_instant, zone
from .world import World


class DayEngine(DayPlan):
    """Plans each local date from the seed and applies due events to a World."""

    def __init__(
        self,
        seed: int,
        units: list[dict],
        roles: dict[str, str],
        staff: list[dict],
        on_leave: set[str],
        first_date: date,
    ) -> None:
        super().__init__(seed, units, roles, staff, on_leave)
        self.first_date = first_date
        self.next_date = first_date  # next local date to plan
        self.applied = 0
        self.skipped = 0
        self.last_applied: datetime | None = None

    # ------------------------------------------------------------------ the engine loop
    def ensure_planned(self, world: World, t: datetime) -> None:
        horizon = (t + timedelta(hours=8)).astimezone(zone(TZ)).date()
        if (horizon - self.next_date).days > 14:
            # a jump of weeks (advance_seconds): plan only the last days before the target
            self.next_date = horizon - timedelta(days=2)
        while self.next_date <= horizon:
            self.plan_day(self.next_date)
            self.next_date += timedelta(days=1)

    def advance_to(self, world: World, t: datetime) -> None:
        self.ensure_planned(world, t)
        limit = t.timestamp()
        while self.heap and self.heap[0].ts <= limit:
            ev = heapq.heappop(self.heap)
            at = datetime.fromtimestamp(ev.ts, UTC)
            if HANDLERS[ev.kind](self, world, at, ev) is False:
                self.skipped += 1
            else:
                self.applied += 1
            self.last_applied = at

    # ------------------------------------------------------------------ day plan
    def plan_day(self, d: date) -> None:
        rng = random.Random(f"{self.seed}:{d.isoformat()}")
        self.day = d
        evs: list[tuple[datetime, str, dict]] = []

        def ev(at: datetime, kind: str, **data: Any) -> None:
            evs.append((at, kind, data))

        self.shifts[d] = plan_shifts(self, rng, d, ev)
        plan_coordinators(self, rng, d, ev)
        arrivals = plan_arrivals(self, rng, d)
        scripted, surge = scripted_arrivals(self, rng, d)
        arrivals.extend(scripted)
        if d == self.first_date:
            arrivals.extend(initial_backlog(self, rng, d))
        arrivals.sort(key=lambda a: (a["at"], a["unit_id"], a.get("tag", "")))
        for i, a in enumerate(arrivals, 1):
            a["id"] = a.get("id") or f"c-{d:%y%m%d}-{i:04d}"
        for a in arrivals:
            plan_case(self, rng, a, ev)
        if surge:
            uid, t = surge
            ev(t, "bulk_notice", unit_id=uid, template_id="high_load", select="waiting_care")
        for uid in self.activated():
            span = self.day_span(uid, d)
            if span is None:
                continue
            opening, close = span
            ev(close - u(rng, 8, 20), "bulk_notice", unit_id=uid, template_id="next_day", select="end_of_day")
            ev(opening + u(rng, 5, 15), "backlog", unit_id=uid)
        ev(local_instant(d, "03:10", TZ), "purge")
        # keys: stable per date and per plan order, independent of when the plan was made
        day = f"{d:%Y%m%d}"
        for j, (at, kind, data) in enumerate(sorted(evs, key=lambda e: e[0])):
            self.push(at, f"{day}:{j:06d}", kind, **data)
