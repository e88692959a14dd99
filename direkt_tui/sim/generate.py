"""A generated, live day (or several) at a few units in Östergötland.

``generate_world`` draws the units and their staff from ``Random(f"{seed}:world")`` and hands
the days to ``engine.DayEngine``, which plans each local date from the seed alone and applies
the events lazily up to the simulated now (see ``engine``). The parts: ``tables`` (the
simulator's vocabulary and the shape of a day), ``staffing`` (units, staff, shifts,
coordinators), ``arrivals`` (patients and cases), ``scripts`` (the scripted situations as a
table and the ordinary flow of a case), ``flow`` (one case's steps), ``handlers`` (what each
event does to the world), ``history`` (earlier days, served closed, with ``history_weeks``).

Fictional people only (see ``names.py``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .arrivals import new_case
from .calendar import default_start
from .engine import DayEngine
from .history import history
from .plan import rt
from .staffing import staff_for, units_for
from .tables import MIN, TEMPLATES, TZ
from .timeutil import SimClock, iso, local_instant, parse_iso, real_now, zone
from .world import World

__all__ = ["MAX_HISTORY_WEEKS", "DayEngine", "generate_world"]

MAX_HISTORY_WEEKS = 8


def generate_world(
    seed: int = 1,
    start: datetime | str | None = None,
    speed: float = 1.0,
    preload_cases: int = 0,
    *,
    log_retention: int = 10_000,
    reassign_person_held: bool = False,
    units: int | None = None,
    history_weeks: int = 0,
    history_same_weekday: bool = False,
) -> World:
    """A generated live day. ``speed`` = simulated seconds per real second (0 freezes the
    clock: then only ``world.advance()`` moves it). ``start`` defaults to the most recent
    working day 07:30 Europe/Stockholm at or before now. ``history_weeks``: also serve the
    closed cases and the shifts of the days of that many weeks before the live one (before
    yesterday, which the live engine plays; see ``history``), kept through the purge, so a
    client's store has a past; ``history_same_weekday``: only the live day's weekday of those
    weeks (what the forecast and the typical day read, at a seventh of the cost)."""
    if isinstance(start, str):
        start = parse_iso(start)
    if start is None:
        start = default_start(real_now())
    start = start.replace(microsecond=0)
    rng = random.Random(f"{seed}:world")
    start_date = start.astimezone(zone(TZ)).date()
    n_units = units if units is not None else rng.randint(3, 5)
    if not 3 <= n_units <= 5:
        raise ValueError("units must be 3..5")
    if not 0 <= history_weeks <= MAX_HISTORY_WEEKS:
        raise ValueError(f"history_weeks must be 0..{MAX_HISTORY_WEEKS}")
    unit_list, roles = units_for(rng, n_units, start_date)
    created = local_instant(start_date - timedelta(days=30), "12:00", TZ)
    staff, on_leave = staff_for(rng, unit_list, roles, created)
    world = World(
        units=unit_list,
        staff=staff,
        templates=TEMPLATES,
        capabilities={"reassign_person_held": reassign_person_held},
        clock=SimClock(start, speed=0),
        seed=seed,
        log_retention=log_retention,
        name=f"generated seed {seed}",
    )
    first = start_date - timedelta(days=1)
    engine = DayEngine(seed, unit_list, roles, staff, on_leave, first)
    world.engine = engine
    with world.lock:
        if history_weeks:
            days = [start_date - timedelta(days=k) for k in range(2, 7 * history_weeks + 1)]
            if history_same_weekday:
                days = [d for d in days if d.weekday() == start_date.weekday()]
            cases, shifts = history(seed, unit_list, roles, staff, on_leave, days)
            for sh in shifts:
                world._insert("shifts", sh)
            for c in cases:
                world._insert("cases", c)
            engine.kept.update(x["id"] for x in (*shifts, *cases))
        engine.ensure_planned(world, start)
        engine.advance_to(world, start)
        if preload_cases:
            _preload(world, engine, seed, start, preload_cases)
    world.clock = SimClock(start, speed=speed)
    world.roles = roles
    return world


def _preload(world: World, engine: DayEngine, seed: int, start: datetime, n: int) -> None:
    rng = random.Random(f"{seed}:preload")
    units = engine.activated()
    d = start.astimezone(zone(TZ)).date()
    staff_by_unit = {un: [s for s in engine.unit_staff.get(un, []) if s not in engine.on_leave] for un in units}
    for i in range(1, n + 1):
        uid = units[i % len(units)]
        at = start - timedelta(seconds=rng.uniform(60, 8 * 3600))
        case = new_case(rng, d, uid, at)
        cid = f"p-{i:05d}"
        case.update(id=cid, url=f"https://clinic.example/cases/{cid}", version=1, updated_at=case["created_at"])
        r = rng.random()
        if r > 0.7 and staff_by_unit[uid]:
            sid = rng.choice(staff_by_unit[uid])
            t = at + timedelta(minutes=rng.uniform(1, 30))
            case.update(
                status="received",
                owner={"type": "person", "staff_id": sid},
                owner_since=iso(rt(t)),
                received_at=iso(rt(t)),
            )
            if r > 0.85:
                case.update(status="started", started_at=iso(rt(t + MIN)), last_staff_message_at=iso(rt(t + MIN)))
        engine.static.add(cid)
        world._insert("cases", case)
