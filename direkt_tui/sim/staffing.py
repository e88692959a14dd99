"""Who works: the generated units and their staff, each date's shifts and coordinators.

Each planner takes the day's ``random.Random`` and draws from it in a fixed order, so a seed
gives the same world whatever the timing of requests.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from . import names
from .plan import DayPlan, PlanEvent, ShiftPlan, u
from .tables import INACTIVE_POOL, PRIVATE_POOL, ROLE_ORDER, ROSTERS, TITLES, TZ, UNIT_POOL
from .timeutil import iso, local_instant

# a weekend rota at the weekend unit on Saturdays and Sundays: two nurses, one doctor, one admin
_WEEKEND_QUOTA = {"nurse": 2, "doctor": 1, "admin_contact": 1}


def _forced(role: str, prof: str, k: int) -> bool:
    """Whether the ``k``-th of the unit's ``prof`` always works a weekday (the unit's backbone)."""
    return (
        (prof in ("nurse", "doctor") and k < (2 if prof == "nurse" else 1))
        or (role == "main" and prof == "psychologist")
        or (role == "main" and prof == "doctor" and k == 1)
        or (role == "lunch" and prof == "nurse" and k < 2)
    )


def _working(p: DayPlan, rng: random.Random, d: date, uid: str) -> list[ShiftPlan]:
    """The unscripted shifts of one open unit on date ``d``."""
    span = p.day_span(uid, d)
    assert span is not None
    first_open, last_close = span
    weekday = d.isoweekday() <= 5
    role = p.roles[uid]
    staff_ids = [s for s in p.unit_staff.get(uid, []) if s not in p.on_leave]
    by_prof: dict[str, list[str]] = {}
    for s in staff_ids:
        by_prof.setdefault(p.staff_prof[s], []).append(s)
    working: list[tuple[str, datetime, datetime]] = []
    for prof, ids in by_prof.items():
        for k, sid in enumerate(ids):
            forced = _forced(role, prof, k)
            if not weekday and role == "weekend":
                quota = _WEEKEND_QUOTA.get(prof, 0)
                if (k + d.toordinal()) % max(1, len(ids)) >= quota:
                    continue
                forced = True
            if not forced and rng.random() < 0.12:
                continue  # a day off
            if forced and k == 0:
                start, end = first_open - timedelta(minutes=30), last_close
            else:
                start = first_open + timedelta(minutes=rng.choice((-30, 0, 0, 30, 60)))
                end = last_close - timedelta(minutes=rng.choice((0, 0, 30, 60)))
            working.append((sid, start, end))
    # one unscripted early leaver per unit (a half day)
    candidates = [
        w
        for w in working
        if p.staff_prof[w[0]] in ("nurse", "assistant_nurse") and by_prof.get("nurse", [None])[0] != w[0]
    ]
    early = rng.choice(candidates)[0] if candidates and weekday else None
    plans = []
    for sid, start, end in working:
        if sid == early:
            end = start + timedelta(hours=rng.choice((4, 4.5, 5)))
        plans.append(ShiftPlan(f"sh-{d:%Y%m%d}-{sid}", uid, sid, p.staff_prof[sid], start, end, end))
    return plans


def _script_shift(p: DayPlan, d: date, sp: ShiftPlan) -> None:
    """The scripted shift situations on normal weekdays."""
    role = p.roles[sp.unit_id]
    nurses = p.colleagues(sp.unit_id, "nurse", at_work=True)
    doctors = p.colleagues(sp.unit_id, "doctor", at_work=False)
    if role == "main" and sp.profession == "psychologist":
        sp.cancelled = True  # called in sick before the day started
    elif role == "main" and len(doctors) > 1 and sp.staff_id == doctors[1]:
        sp.start = local_instant(d, "08:00", TZ)
        sp.end = sp.planned_end = local_instant(d, "13:00", TZ)  # a half day
    elif role == "lunch" and sp.staff_id == nurses[0]:
        sp.start = local_instant(d, "07:30", TZ)
        sp.end = sp.planned_end = local_instant(d, "15:00", TZ)  # coordinator leaves early
    elif role == "lunch" and len(nurses) > 1 and sp.staff_id == nurses[1]:
        sp.start = local_instant(d, "07:45", TZ)
        sp.planned_end = local_instant(d, "16:30", TZ)
        sp.end = local_instant(d, "11:00", TZ)  # goes home sick at 11:00
    elif role == "weekend" and len(nurses) > 3 and sp.staff_id == nurses[3]:
        sp.cancelled = True  # the surge unit is one nurse short


def plan_shifts(p: DayPlan, rng: random.Random, d: date, ev: PlanEvent) -> list[ShiftPlan]:
    plans: list[ShiftPlan] = []
    publish = local_instant(d - timedelta(days=1), "18:00", TZ)
    for uid in p.activated():
        if p.day_span(uid, d) is not None:
            plans.extend(_working(p, rng, d, uid))
    for sp in plans:
        if p.scripted_day(sp.unit_id, d):
            _script_shift(p, d, sp)
    for sp in plans:
        shift = {
            "id": sp.id,
            "unit_id": sp.unit_id,
            "staff_id": sp.staff_id,
            "profession": sp.profession,
            "start": iso(sp.start),
            "end": iso(sp.planned_end),
            "cancelled": False,
            "version": 1,
            "updated_at": iso(publish),
        }
        ev(publish, "publish_shift", shift=shift)
        if sp.cancelled:
            ev(sp.start - u(rng, 20, 60), "shift_update", shift_id=sp.id, changes={"cancelled": True})
            continue
        if sp.end != sp.planned_end:
            ev(sp.end - u(rng, 5, 15), "shift_update", shift_id=sp.id, changes={"end": iso(sp.end)})
        ev(sp.start + u(rng, 0, 8), "login", staff_id=sp.staff_id, logged_in=True)
        ev(sp.end + u(rng, 0, 4), "login", staff_id=sp.staff_id, logged_in=False)
    return plans


def plan_coordinators(p: DayPlan, rng: random.Random, d: date, ev: PlanEvent) -> None:
    for uid in p.activated():
        span = p.day_span(uid, d)
        if span is None:
            continue
        first_open, last_close = span
        nurses = [sp for sp in p.shifts[d] if sp.unit_id == uid and sp.profession == "nurse" and not sp.cancelled]
        if not nurses:
            continue
        scripted_lunch = p.roles[uid] == "lunch" and p.scripted_day(uid, d)
        nurses.sort(key=lambda sp: (sp.start, sp.staff_id))
        first = nurses[0]
        if scripted_lunch:
            roster = p.colleagues(uid, "nurse", at_work=False)
            first = next((sp for sp in nurses if sp.staff_id == roster[0]), first)
        take = max(first.start, first_open - timedelta(minutes=25)) + u(rng, 1, 10)
        ev(take, "coordinator", unit_id=uid, staff_id=first.staff_id, expect="any")
        if scripted_lunch:
            continue  # leaves at 15:00 without handing the role over
        if first.end >= last_close:
            ev(first.end - u(rng, 3, 10), "coordinator", unit_id=uid, staff_id=None, expect=first.staff_id)
            continue
        # hand the role over to a colleague who stays to closing
        later = [
            sp
            for sp in nurses
            if sp.staff_id != first.staff_id and sp.start < first.end - timedelta(minutes=20) and sp.end >= last_close
        ]
        at = first.end - u(rng, 10, 20)
        if later:
            nxt = later[0]
            ev(at, "coordinator", unit_id=uid, staff_id=nxt.staff_id, expect=first.staff_id)
            ev(nxt.end - u(rng, 3, 10), "coordinator", unit_id=uid, staff_id=None, expect=nxt.staff_id)
        else:
            ev(at, "coordinator", unit_id=uid, staff_id=None, expect=first.staff_id)


# ---------------------------------------------------------------------- the world's people
def _week(role: str) -> dict[str, list[dict[str, str]]]:
    """The unit's ordinary opening hours per ISO weekday."""
    if role == "lunch":
        return {str(i): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}] for i in range(1, 6)}
    close = "16:30" if role == "private" else "17:00"
    week = {str(i): [{"open": "08:00", "close": close}] for i in range(1, 6)}
    if role == "weekend":
        week.update({"6": [{"open": "10:00", "close": "16:00"}], "7": [{"open": "10:00", "close": "16:00"}]})
    return week


def units_for(rng: random.Random, n: int, start_date: date) -> tuple[list[dict], dict[str, str]]:
    pool = UNIT_POOL[:]
    rng.shuffle(pool)
    units, roles = [], {}
    for k, role in enumerate(ROLE_ORDER[:n]):
        if role == "private":
            uid, name = rng.choice(PRIVATE_POOL)
        elif role == "inactive":
            uid, name = rng.choice(INACTIVE_POOL)
        else:
            uid, name = pool.pop()
        special: dict[str, list] = {}
        closed = []
        # a shortened Friday two weeks ahead (staff meeting) and a training day later on
        fri = start_date + timedelta(days=(4 - start_date.weekday()) % 7 + 14)
        if role == "main":
            special[fri.isoformat()] = [{"open": "08:00", "close": "15:00"}]
        if role == "lunch":
            closed.append((start_date + timedelta(days=(2 - start_date.weekday()) % 7 + 21)).isoformat())
        if role == "weekend":
            sat = start_date + timedelta(days=(5 - start_date.weekday()) % 7 + 14)
            special[sat.isoformat()] = []
        units.append(
            {
                "id": uid,
                "name": name,
                "region": "Östergötland",
                "timezone": TZ,
                "activated": role != "inactive",
                "private": role == "private",
                "opening_hours": _week(role),
                "special_hours": special,
                "closed_dates": closed,
                "care_to_care_phone": f"010-000 {10 + k:02d} {rng.randint(0, 99):02d}",
                "version": 1,
                "updated_at": iso(local_instant(start_date - timedelta(days=30), "12:00", TZ)),
            }
        )
        roles[uid] = role
    return units, roles


def staff_for(
    rng: random.Random, units: list[dict], roles: dict[str, str], at: datetime
) -> tuple[list[dict], set[str]]:
    staff: list[dict] = []
    on_leave: set[str] = set()
    used: set[str] = set()
    for un in units:
        role = roles[un["id"]]
        n = 0
        plan = list(ROSTERS[role].items())
        if role == "main":
            plan.append(("nurse_leave", 1))
        for prof, count in plan:
            for _ in range(count):
                n += 1
                p = "nurse" if prof == "nurse_leave" else prof
                while True:
                    name, _ = names.person_name(rng)
                    if name not in used:
                        used.add(name)
                        break
                sid = f"{un['id']}-s{n:02d}"
                staff.append(
                    {
                        "id": sid,
                        "unit_id": un["id"],
                        "name": name,
                        "title": TITLES[p],
                        "professions": [p],
                        "logged_in": False,
                        "phone": names.phone(rng),
                        "version": 1,
                        "updated_at": iso(at),
                    }
                )
                if prof == "nurse_leave":
                    on_leave.add(sid)
    return staff, on_leave
