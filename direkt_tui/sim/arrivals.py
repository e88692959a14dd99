"""Who writes in: patients, new cases, each date's arrivals and the scripted situations' cases.

An arrival is a dict: ``at``, ``unit_id``, ``case`` (the case body without id), and for a
scripted one ``script`` (a name in ``scripts.SCRIPTS``) and ``tag`` (orders arrivals at the
same instant); ``engine.DayEngine.plan_day`` gives each its id.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from . import names
from .calendar import is_holiday
from .plan import DayPlan, poisson, rt, u
from .tables import ADMIN_REASONS, CARE_REASONS, OTHER_REGIONS, SIZE, TZ, WEEKDAY_CURVE, WEEKEND_FACTOR
from .timeutil import iso, local_instant


def patient(
    rng: random.Random, d: date, *, protected: bool = False, min_age: float = 1.05, max_age: float = 92
) -> dict:
    female = rng.random() < 0.55
    name, female = names.person_name(rng, female)
    if rng.random() < 0.12:
        born = names.birth_date(rng, d, 1.05, 17)
    else:
        born = names.birth_date(rng, d, max(min_age, 18), max_age)
    if min_age < 1:
        born = names.birth_date(rng, d, min_age, 0.9)
    return {
        "display_name": name,
        "personnummer": names.personnummer(born, rng, female),
        "birth_date": born.isoformat(),
        "phone": names.phone(rng),
        "protected_identity": protected or rng.random() < 0.004,
        "home_region": rng.choice(OTHER_REGIONS) if rng.random() < 0.04 else "Östergötland",
    }


def new_case(
    rng: random.Random,
    d: date,
    uid: str,
    at: datetime,
    *,
    kind: str | None = None,
    priority: int | None = None,
    reason: str | None = None,
    protected: bool = False,
    min_age: float = 1.05,
) -> dict:
    if kind is None:
        kind = "admin" if rng.random() < 0.15 else "care"
    if kind == "admin":
        priority, reason = None, reason or rng.choice(ADMIN_REASONS)
    else:
        if priority is None:
            priority = rng.choices((1, 2, 3, 4, 5), weights=(2, 8, 35, 40, 15))[0]
        if reason is None:
            pool = [r for r, p in CARE_REASONS if abs(p - priority) <= 1] or [r for r, _ in CARE_REASONS]
            reason = rng.choice(pool)
    return {
        "unit_id": uid,
        "kind": kind,
        "priority": priority,
        "status": "waiting",
        "owner": None,
        "owner_since": None,
        "reason": reason,
        "created_at": iso(rt(at)),
        "received_at": None,
        "started_at": None,
        "closed_at": None,
        "close_reason": None,
        "last_patient_message_at": None,
        "last_staff_message_at": None,
        "contact_attempts": [],
        "notices": [],
        "handover": None,
        "reopen_until": None,
        "patient": patient(rng, d, protected=protected, min_age=min_age),
    }


def plan_arrivals(p: DayPlan, rng: random.Random, d: date) -> list[dict]:
    """The day's ordinary arrivals: a Poisson stream per unit and hour on the day's curve."""
    out = []
    weekday = d.isoweekday() <= 5 and not is_holiday(d)
    for uid in p.activated():
        size = SIZE[p.roles[uid]]
        factor = 1.0 if weekday else WEEKEND_FACTOR
        if p.roles[uid] == "weekend" and not weekday:
            factor = 0.8
        for hour, rate in enumerate(WEEKDAY_CURVE):
            lam = rate * size * factor
            if not weekday:
                lam = (rate * 0.5 + 1.2) * size * factor if 9 <= hour < 18 else lam
            start = local_instant(d, f"{hour:02d}:00", TZ)
            for _ in range(poisson(rng, lam)):
                at = start + timedelta(seconds=rng.uniform(0, 3600))
                out.append({"at": at, "unit_id": uid, "case": new_case(rng, d, uid, at)})
    return out


def scripted_arrivals(p: DayPlan, rng: random.Random, d: date) -> tuple[list[dict], tuple[str, datetime] | None]:
    """Cases that make the situations a coordinator must catch, and the surge (unit, when the
    high-load notice goes out) if there is one today."""
    out: list[dict] = []

    def arrive(uid: str, t: datetime, script: str | None, tag: str, **kw: Any) -> None:
        out.append({"at": t, "unit_id": uid, "script": script, "tag": tag, "case": new_case(rng, d, uid, t, **kw)})

    def add(uid: str, hhmm: str, script: str | None, tag: str, **kw: Any) -> None:
        arrive(uid, local_instant(d, hhmm, TZ) + timedelta(seconds=rng.randint(0, 59)), script, tag, **kw)

    main, lunch, weekend = (p.by_role.get(r) for r in ("main", "lunch", "weekend"))
    private = p.by_role.get("private")
    surge = None
    if main and p.scripted_day(main, d):
        span = p.day_span(main, d)
        assert span is not None
        add(main, "06:10", None, "after_hours_morning", kind="care", priority=4)
        arrive(main, span[1] + u(rng, 25, 50), None, "after_hours_evening", kind="care", priority=3)
        add(main, "08:05", "no_response_closable", "closable", kind="care", priority=4, reason="Hudutslag")
        add(main, "09:05", "to_unscheduled", "psych", kind="care", priority=4, reason="Nedstämdhet")
        add(main, "09:10", "stale_role", "stale", kind="care", priority=3, reason="Urinvägsbesvär")
        add(main, "10:40", None, "protected", kind="care", priority=3, protected=True)
        add(main, "11:50", "half_day_doctor", "doc1", kind="care", priority=3, reason="Högt blodtryck")
        add(main, "12:10", "half_day_doctor", "doc2", kind="care", priority=2, reason="Bröstsmärta")
        if private:
            add(main, "10:10", "ticket_handover", "ticket", kind="care", priority=4, reason="Ont i knät")
    if lunch and p.scripted_day(lunch, d):
        add(lunch, "09:30", "sick_nurse", "sick1", kind="care", priority=3)
        add(lunch, "09:50", "sick_nurse", "sick2", kind="care", priority=4)
        add(lunch, "09:40", "unaccepted_handover", "unaccepted", kind="care", priority=3, reason="Yrsel")
        add(lunch, "08:40", "premature_close", "premature", kind="care", priority=4, reason="Allergi")
        add(lunch, "12:20", None, "lunch_arrival", kind="care", priority=3)
    weekend_span = p.day_span(weekend, d) if weekend else None
    if weekend and weekend_span:
        base = max(weekend_span[0], local_instant(d, "10:00", TZ))
        if base + timedelta(minutes=45) < weekend_span[1]:
            for k in range(rng.randint(20, 28)):  # a surge of load
                t = base + timedelta(seconds=rng.uniform(0, 45 * 60))
                arrive(weekend, t, "surge", f"surge{k}", priority=rng.choice((2, 3, 3, 4, 4, 4, 5)))
            surge = (weekend, base + timedelta(minutes=35))
        if p.scripted_day(weekend, d):
            add(weekend, "12:30", "awaiting_reply", "awaiting", kind="care", priority=3)
            if lunch and p.scripted_day(lunch, d):
                add(weekend, "11:20", "urgent_handover", "urgent", kind="care", priority=2, reason="Andningsbesvär")
            if rng.random() < 0.5:
                add(weekend, "13:15", None, "infant", kind="care", priority=3, reason="Feber", min_age=0.3)
    return out, surge


def initial_backlog(p: DayPlan, rng: random.Random, d: date) -> list[dict]:
    """A case held for days by someone on long leave (long_absence)."""
    out = []
    main = p.by_role.get("main")
    leave = [s for s in p.on_leave if p.staff[s]["unit_id"] == main]
    if main and leave:
        t = local_instant(d - timedelta(days=5), "09:00", TZ)
        out.append(
            {
                "at": t,
                "unit_id": main,
                "script": "long_absence",
                "tag": "longabs",
                "owner": sorted(leave)[0],
                "case": new_case(rng, d, main, t, kind="care", priority=4, reason="Ryggont"),
            }
        )
    return out
