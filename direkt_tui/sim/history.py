"""Earlier days of a generated world: the closed cases and the shifts of days before the live one.

``history(...)`` generates each given local date on its own with the live day's planners
(``staffing``, ``arrivals``, ``scripts``, from the same ``Random(f"{seed}:{date}")``, so a
date's shifts and arrivals are those the live engine plans for it) and applies the events with
the live day's handlers, in (time, key) order, to a scratch state instead of a served
:class:`~.world.World`: no change log, no JSON, no copies, no logins, no coordinators. The
cases left open at the day's end are handled at the next opening, as on a live day
(``backlog``), until noon; the few still open then are closed there. Served: the date's shifts
and every case of it, closed (its final version), so the live day starts as it does without
history.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from .engine import DayEngine
from .handlers import HANDLERS
from .plan import Ev, u
from .staffing import plan_shifts
from .tables import TEMPLATES, TZ
from .timeutil import UTC, iso, local_instant

# the live day's events that change nothing served in history (the staff feed and the
# coordinators stay the live day's; the scratch state is pruned per day instead of purged)
_SKIP = frozenset({"login", "coordinator", "purge"})


class _Planner(DayEngine):
    """The live engine's planners; events go to a heap of plain tuples (cheap to order)."""

    def push(self, at: datetime, key: str, kind: str, **data: Any) -> None:
        ts = float(math.floor(at.timestamp()))  # = rt(at).timestamp(), without a new datetime
        heap: list[Any] = self.heap
        heapq.heappush(heap, (ts, key, Ev(ts, key, kind, data)))


class _Scratch:
    """What the handlers ask of a world, over the planned shifts; nothing is recorded."""

    def __init__(self, plan: _Planner) -> None:
        self.plan = plan
        self.store: dict[str, dict[str, dict]] = {"cases": {}, "shifts": {}, "staff": {}}
        self.templates = TEMPLATES
        self.units = plan.units

    def _insert(self, feed: str, entity: dict) -> None:
        entity.setdefault("version", 1)
        self.store[feed][entity["id"]] = entity

    def _update(self, feed: str, entity: dict, at: datetime) -> None:
        entity["version"] = int(entity.get("version", 0)) + 1
        entity["updated_at"] = iso(at)

    def present(self, staff_id: str, unit_id: str, t: datetime) -> bool:
        return self.plan.presence_end(staff_id, unit_id, t) is not None

    def present_staff(self, unit_id: str, t: datetime, profession: str | None = None) -> list[str]:
        return self.plan.present(unit_id, t, None if profession is None else (profession,))


def _arrive(p: Any, world: _Scratch, at: datetime, ev: Ev) -> bool | None:
    case = ev.data["case"]  # planned once and never reused: no copy needed
    cases = world.store["cases"]
    if case["id"] in cases:
        return False
    src = ev.data.get("requires_accepted")
    if src:
        s = cases.get(src)
        if not s or not s.get("handover") or not s["handover"].get("accepted_at"):
            return False
    world._insert("cases", case)
    return None


def history(
    seed: int,
    units: list[dict],
    roles: dict[str, str],
    staff: list[dict],
    on_leave: set[str],
    days: Iterable[date],
) -> tuple[list[dict], list[dict]]:
    """(closed cases, shifts) of the local dates ``days``, each date on its own: its cases in
    the order of their creation, its shifts in the order of their start."""
    cases_out: list[dict] = []
    shifts_out: list[dict] = []
    for d in sorted(set(days)):
        cases, shifts = _one_day(seed, units, roles, staff, on_leave, d)
        cases_out += cases
        shifts_out += shifts
    return cases_out, shifts_out


def _one_day(
    seed: int, units: list[dict], roles: dict[str, str], staff: list[dict], on_leave: set[str], d: date
) -> tuple[list[dict], list[dict]]:
    plan = _Planner(seed, units, roles, staff, on_leave, date.min)  # no initial backlog: a live day's
    world = _Scratch(plan)
    plan.plan_day(d)
    # each unit's next opening (within four days): the day's leftovers are handled there, as on a live day
    stop = local_instant(d + timedelta(days=1), "12:00", TZ)
    mornings: dict[date, list[tuple[str, datetime]]] = {}
    for uid in plan.activated():
        for k in range(1, 5):
            span = plan.day_span(uid, d + timedelta(days=k))
            if span is not None:
                mornings.setdefault(d + timedelta(days=k), []).append((uid, span[0]))
                break
    for nxt, opening in sorted(mornings.items()):
        plan.shifts[nxt] = plan_shifts(plan, random.Random(f"{seed}:{nxt.isoformat()}"), nxt, _ignore)
        rng = random.Random(f"{seed}:{nxt.isoformat()}:history")
        for uid, at in opening:
            plan.push(at + u(rng, 5, 15), f"{nxt:%Y%m%d}:history:{uid}", "backlog", unit_id=uid)
        stop = max(stop, local_instant(nxt, "12:00", TZ))
    limit = stop.timestamp()
    heap: list[Any] = plan.heap
    while heap and heap[0][0] <= limit:
        _, _, ev = heapq.heappop(heap)
        if ev.kind not in _SKIP:
            _HANDLERS[ev.kind](plan, world, datetime.fromtimestamp(ev.ts, UTC), ev)
    # the few still open then (held by someone gone home, in a queue nobody of the profession
    # works in, a hand-over not accepted): Stöd och service closes them, so the day's arrivals are
    # all kept (the live engine leaves them open for a week)
    for c in world.store["cases"].values():
        if c["status"] != "closed":
            if c.get("handover") and not c["handover"].get("accepted_at"):
                c["handover"] = None
            c.update(status="closed", closed_at=iso(stop), close_reason="resolved")
            world._update("cases", c, stop)
    prefix = f"sh-{d:%Y%m%d}-"
    shifts = sorted(
        (s for s in world.store["shifts"].values() if s["id"].startswith(prefix)), key=lambda s: (s["start"], s["id"])
    )
    cases = sorted(world.store["cases"].values(), key=lambda c: (c["created_at"], c["id"]))
    return cases, shifts


def _ignore(*args: Any, **kw: Any) -> None:
    """The next morning's shift events: only its planned presence matters here."""


# the live day's handlers (the scratch state answers what they ask of a world), a cheaper arrival
_HANDLERS: dict[str, Callable[..., bool | None]] = {**HANDLERS, "arrive": _arrive}
