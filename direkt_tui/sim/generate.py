"""A generated, live day (or several) at a few units in Östergötland.

Deterministic for a seed: each local date's plan of events (shifts, arrivals, every step of
every case, coordinator changes, the scripted situations a coordinator must catch) is drawn
from ``Random(f"{seed}:{date}")`` alone, independent of request timing. The engine applies the
events lazily, in (time, key) order, up to the simulated now on each request. Events whose
preconditions no longer hold (a case closed, reassigned or moved by a client, an owner gone)
are adapted or skipped; the actor of a case step is always the case's current owner.

Fictional people only (see ``names.py``).
"""

from __future__ import annotations

import copy
import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import names
from .calendar import default_start, is_holiday, unit_intervals
from .timeutil import UTC, SimClock, iso, local_instant, parse_iso, real_now, zone
from .world import OPEN_STATUSES, World

TZ = "Europe/Stockholm"
MIN = timedelta(minutes=1)

TEMPLATES = [
    {"id": "high_load", "title": "Hög belastning", "scope": "regional",
     "text": "Just nu är det tillfälligt hög belastning, vilket kan påverka svarstiden. "
             "Vid akuta besvär ring 112."},
    {"id": "next_day", "title": "Hanteras nästa vardag", "scope": "regional",
     "text": "Ditt ärende hanteras nästkommande vardag. Om du blir sämre, sök vård."},
    {"id": "seek_care_again", "title": "Sök igen vid behov", "scope": "regional",
     "text": "Vi har inte fått kontakt med dig och avslutar ärendet. Sök vård igen vid behov."},
    {"id": "handed_over", "title": "Överlämnat till annan mottagning", "scope": "regional",
     "text": "Ditt ärende har lämnats över till en annan mottagning, som kontaktar dig."},
    {"id": "confirm_ticket", "title": "Bekräfta biljett", "scope": "regional",
     "text": "Du har fått en biljett till drop-in hos en annan mottagning. "
             "Bekräfta i chatten att du vill använda den."},
    {"id": "lab_visit", "title": "Provtagning", "scope": "local",
     "text": "Du behöver lämna prover. Kom till vårdcentralens provtagning vardagar 08–11, "
             "ingen tidsbokning."},
]

UNIT_POOL = [
    ("vc-ekholmen", "Vårdcentralen Ekholmen"),
    ("vc-skaggetorp", "Vårdcentralen Skäggetorp"),
    ("vc-kneippen", "Vårdcentralen Kneippen"),
    ("vc-motala", "Vårdcentralen Motala"),
    ("vc-finspang", "Vårdcentralen Finspång"),
    ("vc-mjolby", "Vårdcentralen Mjölby"),
    ("vc-valdemarsvik", "Vårdcentralen Valdemarsvik"),
]
PRIVATE_POOL = [("hc-kvarnen", "Hälsocentralen Kvarnen (privat)"),
                ("hc-lugnet", "Läkarhuset Lugnet (privat)")]
INACTIVE_POOL = [("vc-boxholm", "Vårdcentralen Boxholm"), ("vc-kisa", "Vårdcentralen Kisa")]

TITLES = {
    "nurse": "Sjuksköterska", "doctor": "Distriktsläkare", "assistant_nurse": "Undersköterska",
    "physiotherapist": "Fysioterapeut", "occupational_therapist": "Arbetsterapeut",
    "psychologist": "Psykolog", "counsellor": "Kurator", "dietitian": "Dietist",
    "medical_admin": "Medicinsk sekreterare", "admin_contact": "Vårdadministratör",
}
# roster per unit role: profession -> count
ROSTERS = {
    "main": {"nurse": 5, "doctor": 3, "assistant_nurse": 2, "physiotherapist": 1,
             "psychologist": 1, "medical_admin": 1, "admin_contact": 1},
    "lunch": {"nurse": 4, "doctor": 2, "assistant_nurse": 1, "counsellor": 1,
              "medical_admin": 1, "admin_contact": 1},
    "weekend": {"nurse": 5, "doctor": 2, "assistant_nurse": 1, "physiotherapist": 1,
                "admin_contact": 2},
    "private": {"nurse": 2, "doctor": 1, "admin_contact": 1},
    "inactive": {},
}
SIZE = {"main": 1.0, "lunch": 0.8, "weekend": 0.75, "private": 0.45, "inactive": 0.0}
# arrivals per local hour at a unit of size 1.0 on a weekday (morning peak)
WEEKDAY_CURVE = [0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 1.0, 3.0, 8.5, 8.0, 6.5, 5.5,
                 4.5, 4.5, 4.0, 3.5, 3.0, 2.0, 1.6, 1.4, 1.2, 1.0, 0.7, 0.5]
WEEKEND_FACTOR = 0.45

CARE_REASONS = [
    ("Förkylning", 4), ("Halsont", 4), ("Hosta", 4), ("Feber", 3), ("Urinvägsbesvär", 3),
    ("Hudutslag", 4), ("Ryggont", 4), ("Ont i knät", 4), ("Magont", 3), ("Öronvärk", 3),
    ("Yrsel", 3), ("Nedstämdhet", 4), ("Sömnproblem", 4), ("Allergi", 5), ("Sårinfektion", 3),
    ("Ögoninflammation", 4), ("Huvudvärk", 3), ("Ångest", 3), ("Bröstsmärta", 1),
    ("Andningsbesvär", 2), ("Högt blodtryck", 4), ("Kräkningar och diarré", 3),
]
ADMIN_REASONS = ["Förnya recept", "Boka om tid", "Fråga om provsvar", "Intyg",
                 "Avboka tid", "Fråga om remiss", "Ändra kontaktuppgifter"]
PHYSIO_REASONS = {"Ryggont", "Ont i knät"}
PSYCH_REASONS = {"Nedstämdhet", "Sömnproblem", "Ångest"}
OTHER_REGIONS = ["Jönköpings län", "Kalmar län", "Stockholm", "Örebro län"]

# kinds whose actor is the case's current owner
OWNER_KINDS = {"start", "staff_msg", "attempt", "close", "to_role", "unit_handover"}


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


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _u(rng: random.Random, a: float, b: float) -> timedelta:
    return timedelta(minutes=rng.uniform(a, b))


def _rt(t: datetime) -> datetime:
    """Round to whole seconds (timestamps look like a real platform's)."""
    return t.replace(microsecond=0)


class DayEngine:
    """Plans each local date from the seed and applies due events to a World."""

    def __init__(self, seed: int, units: list[dict], roles: dict[str, str],
                 staff: list[dict], on_leave: set[str], first_date: date):
        self.seed = seed
        self.units = {u["id"]: u for u in units}
        self.roles = roles  # unit_id -> role
        self.by_role = {r: uid for uid, r in roles.items()}
        self.staff = {s["id"]: s for s in staff}
        self.staff_prof = {s["id"]: s["professions"][0] for s in staff}
        self.on_leave = on_leave
        self.unit_staff: dict[str, list[str]] = {}
        for s in staff:
            self.unit_staff.setdefault(s["unit_id"], []).append(s["id"])
        self.first_date = first_date
        self.next_date = first_date  # next local date to plan
        self.heap: list[Ev] = []
        self.shifts: dict[date, list[ShiftPlan]] = {}
        self.static: set[str] = set()  # preloaded cases the engine never touches
        self.applied = 0
        self.skipped = 0
        self.last_applied: datetime | None = None

    # ------------------------------------------------------------------ planning helpers
    def activated(self) -> list[str]:
        return [uid for uid, u in self.units.items() if u.get("activated")]

    def _shift_list(self, t: datetime) -> list[ShiftPlan]:
        d = t.astimezone(zone(TZ)).date()
        return self.shifts.get(d, []) + self.shifts.get(d - timedelta(days=1), [])

    def present(self, unit_id: str, t: datetime, profs=None) -> list[str]:
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
            if (sp.staff_id == staff_id and sp.unit_id == unit_id and not sp.cancelled
                    and sp.start <= t < sp.end):
                end = sp.end if end is None else max(end, sp.end)
        return end

    def pick(self, rng, unit_id, t, profs, min_left=20, exclude=()) -> str | None:
        cands = [s for s in self.present(unit_id, t, profs) if s not in exclude]
        cands = [s for s in cands
                 if (self.presence_end(s, unit_id, t) or t) - t >= timedelta(minutes=min_left)]
        return rng.choice(cands) if cands else None

    def day_span(self, unit_id: str, d: date):
        iv = unit_intervals(self.units[unit_id], d)
        return (iv[0][0], iv[-1][1], iv) if iv else None

    def next_open(self, unit_id: str, t: datetime) -> datetime | None:
        """``t`` if the unit is open then, else the next opening the same local day."""
        d = t.astimezone(zone(TZ)).date()
        for a, b in unit_intervals(self.units[unit_id], d):
            if a <= t < b:
                return t
            if t < a:
                return a
        return None

    # ------------------------------------------------------------------ the engine loop
    def ensure_planned(self, world: World, t: datetime) -> None:
        horizon = (t + timedelta(hours=8)).astimezone(zone(TZ)).date()
        if (horizon - self.next_date).days > 14:
            # a jump of weeks (advance_seconds): plan only the last days before the target
            self.next_date = horizon - timedelta(days=2)
        while self.next_date <= horizon:
            self.plan_day(world, self.next_date)
            self.next_date += timedelta(days=1)

    def push(self, at: datetime, key: str, kind: str, **data) -> None:
        heapq.heappush(self.heap, Ev(_rt(at).timestamp(), key, kind, data))

    def advance_to(self, world: World, t: datetime) -> None:
        self.ensure_planned(world, t)
        limit = t.timestamp()
        while self.heap and self.heap[0].ts <= limit:
            ev = heapq.heappop(self.heap)
            at = datetime.fromtimestamp(ev.ts, UTC)
            handler = getattr(self, "_on_" + ev.kind)
            if handler(world, at, ev) is False:
                self.skipped += 1
            else:
                self.applied += 1
            self.last_applied = at

    # ------------------------------------------------------------------ day plan
    def plan_day(self, world: World, d: date) -> None:
        rng = random.Random(f"{self.seed}:{d.isoformat()}")
        self._d = d
        self._surge = None
        evs: list[tuple[datetime, str, dict]] = []

        def ev(at, kind, **data):
            evs.append((at, kind, data))

        self.shifts[d] = self._plan_shifts(rng, d, ev)
        self._plan_coordinators(rng, d, ev)
        arrivals = self._plan_arrivals(rng, d)
        arrivals.extend(self._scripted_arrivals(rng, d))
        if d == self.first_date:
            arrivals.extend(self._initial_backlog(rng, d))
        arrivals.sort(key=lambda a: (a["at"], a["unit_id"], a.get("tag", "")))
        for i, a in enumerate(arrivals, 1):
            a["id"] = a.get("id") or f"c-{d:%y%m%d}-{i:04d}"
        for a in arrivals:
            self._plan_case(rng, a, ev)
        if self._surge:
            uid, t = self._surge
            ev(t, "bulk_notice", unit_id=uid, template_id="high_load", select="waiting_care")
        for uid in self.activated():
            span = self.day_span(uid, d)
            if span is None:
                continue
            _, close, _ = span
            ev(close - _u(rng, 8, 20), "bulk_notice", unit_id=uid, template_id="next_day",
               select="end_of_day")
            ev(span[0] + _u(rng, 5, 15), "backlog", unit_id=uid)
        ev(local_instant(d, "03:10", TZ), "purge")
        # keys: stable per date and per plan order, independent of when the plan was made
        for j, (at, kind, data) in enumerate(sorted(evs, key=lambda e: e[0])):
            self.push(at, f"{d:%Y%m%d}:{j:06d}", kind, **data)

    def _plan_shifts(self, rng, d: date, ev) -> list[ShiftPlan]:
        plans: list[ShiftPlan] = []
        publish = local_instant(d - timedelta(days=1), "18:00", TZ)
        weekday = d.isoweekday() <= 5
        for uid in self.activated():
            span = self.day_span(uid, d)
            if span is None:
                continue
            first_open, last_close, _ = span
            role = self.roles[uid]
            staff_ids = [s for s in self.unit_staff.get(uid, []) if s not in self.on_leave]
            by_prof: dict[str, list[str]] = {}
            for s in staff_ids:
                by_prof.setdefault(self.staff_prof[s], []).append(s)
            working: list[tuple[str, datetime, datetime]] = []
            for prof, ids in by_prof.items():
                for k, sid in enumerate(ids):
                    forced = (prof in ("nurse", "doctor") and k < (2 if prof == "nurse" else 1)) \
                        or (role == "main" and prof == "psychologist") \
                        or (role == "main" and prof == "doctor" and k == 1) \
                        or (role == "lunch" and prof == "nurse" and k < 2)
                    if not weekday and role == "weekend":
                        # a weekend rota: two nurses, one doctor, one admin
                        quota = {"nurse": 2, "doctor": 1, "admin_contact": 1}.get(prof, 0)
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
            candidates = [w for w in working if self.staff_prof[w[0]] in ("nurse", "assistant_nurse")
                          and by_prof.get("nurse", [None])[0] != w[0]]
            early = rng.choice(candidates)[0] if candidates and weekday else None
            for sid, start, end in working:
                if sid == early:
                    end = start + timedelta(hours=rng.choice((4, 4.5, 5)))
                plans.append(ShiftPlan(f"sh-{d:%Y%m%d}-{sid}", uid, sid, self.staff_prof[sid],
                                       start, end, end))
        # scripted shift situations on normal weekdays
        for sp in plans:
            role = self.roles[sp.unit_id]
            if not self._scripted_day(sp.unit_id, d):
                continue
            nurses = [s for s in self.unit_staff[sp.unit_id] if self.staff_prof[s] == "nurse"
                      and s not in self.on_leave]
            doctors = [s for s in self.unit_staff[sp.unit_id] if self.staff_prof[s] == "doctor"]
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
        for sp in plans:
            shift = {
                "id": sp.id, "unit_id": sp.unit_id, "staff_id": sp.staff_id,
                "profession": sp.profession, "start": iso(sp.start), "end": iso(sp.planned_end),
                "cancelled": False, "version": 1, "updated_at": iso(publish),
            }
            ev(publish, "publish_shift", shift=shift)
            if sp.cancelled:
                ev(sp.start - _u(rng, 20, 60), "shift_update", shift_id=sp.id,
                   changes={"cancelled": True})
                continue
            if sp.end != sp.planned_end:
                ev(sp.end - _u(rng, 5, 15), "shift_update", shift_id=sp.id,
                   changes={"end": iso(sp.end)})
            ev(sp.start + _u(rng, 0, 8), "login", staff_id=sp.staff_id, logged_in=True)
            ev(sp.end + _u(rng, 0, 4), "login", staff_id=sp.staff_id, logged_in=False)
        return plans

    def _scripted_day(self, uid: str, d: date) -> bool:
        """Whether the scripted situations run at this unit on this date (normal hours)."""
        span = self.day_span(uid, d)
        if span is None:
            return False
        first_open, last_close, _ = span
        return (first_open <= local_instant(d, "08:30", TZ)
                and last_close >= local_instant(d, "16:00", TZ))

    def _plan_coordinators(self, rng, d: date, ev) -> None:
        for uid in self.activated():
            span = self.day_span(uid, d)
            if span is None:
                continue
            first_open, last_close, _ = span
            nurses = [sp for sp in self.shifts[d] if sp.unit_id == uid
                      and sp.profession == "nurse" and not sp.cancelled]
            if not nurses:
                continue
            role = self.roles[uid]
            nurses.sort(key=lambda sp: (sp.start, sp.staff_id))
            first = nurses[0]
            if role == "lunch" and self._scripted_day(uid, d):
                roster = [s for s in self.unit_staff[uid] if self.staff_prof[s] == "nurse"]
                first = next((sp for sp in nurses if sp.staff_id == roster[0]), first)
            take = max(first.start, first_open - timedelta(minutes=25)) + _u(rng, 1, 10)
            ev(take, "coordinator", unit_id=uid, staff_id=first.staff_id, expect="any")
            if role == "lunch" and self._scripted_day(uid, d):
                continue  # leaves at 15:00 without handing the role over
            if first.end >= last_close:
                ev(first.end - _u(rng, 3, 10), "coordinator", unit_id=uid, staff_id=None,
                   expect=first.staff_id)
                continue
            # hand the role over to a colleague who stays to closing
            later = [sp for sp in nurses if sp.staff_id != first.staff_id
                     and sp.start < first.end - timedelta(minutes=20) and sp.end >= last_close]
            at = first.end - _u(rng, 10, 20)
            if later:
                nxt = later[0]
                ev(at, "coordinator", unit_id=uid, staff_id=nxt.staff_id, expect=first.staff_id)
                ev(nxt.end - _u(rng, 3, 10), "coordinator", unit_id=uid, staff_id=None,
                   expect=nxt.staff_id)
            else:
                ev(at, "coordinator", unit_id=uid, staff_id=None, expect=first.staff_id)

    # ------------------------------------------------------------------ cases
    def _patient(self, rng, d: date, *, protected=False, min_age=1.05, max_age=92):
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

    def _new_case(self, rng, d, uid, at, *, kind=None, priority=None, reason=None,
                  protected=False, min_age=1.05) -> dict:
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
            "unit_id": uid, "kind": kind, "priority": priority, "status": "waiting",
            "owner": None, "owner_since": None, "reason": reason, "created_at": iso(_rt(at)),
            "received_at": None, "started_at": None, "closed_at": None, "close_reason": None,
            "last_patient_message_at": None, "last_staff_message_at": None,
            "contact_attempts": [], "notices": [], "handover": None, "reopen_until": None,
            "patient": self._patient(rng, d, protected=protected, min_age=min_age),
        }

    def _plan_arrivals(self, rng, d: date) -> list[dict]:
        out = []
        weekday = d.isoweekday() <= 5 and not is_holiday(d)
        for uid in self.activated():
            size = SIZE[self.roles[uid]]
            factor = 1.0 if weekday else WEEKEND_FACTOR
            if self.roles[uid] == "weekend" and not weekday:
                factor = 0.8
            for hour, rate in enumerate(WEEKDAY_CURVE):
                lam = rate * size * factor
                if not weekday:
                    lam = (rate * 0.5 + 1.2) * size * factor if 9 <= hour < 18 else lam
                start = local_instant(d, f"{hour:02d}:00", TZ)
                for _ in range(_poisson(rng, lam)):
                    at = start + timedelta(seconds=rng.uniform(0, 3600))
                    out.append({"at": at, "unit_id": uid, "case": self._new_case(rng, d, uid, at)})
        return out

    def _scripted_arrivals(self, rng, d: date) -> list[dict]:
        """Cases that make the situations a coordinator must catch."""
        out = []

        def at(hhmm):
            return local_instant(d, hhmm, TZ) + timedelta(seconds=rng.randint(0, 59))

        def add(uid, hhmm, script, tag, **kw):
            t = at(hhmm)
            out.append({"at": t, "unit_id": uid, "script": script, "tag": tag,
                        "case": self._new_case(rng, d, uid, t, **kw)})

        main, lunch, weekend = (self.by_role.get(r) for r in ("main", "lunch", "weekend"))
        private = self.by_role.get("private")
        if main and self._scripted_day(main, d):
            add(main, "06:10", None, "after_hours_morning", kind="care", priority=4)
            span = self.day_span(main, d)
            t_eve = span[1] + _u(rng, 25, 50)
            out.append({"at": t_eve, "unit_id": main, "script": None, "tag": "after_hours_evening",
                        "case": self._new_case(rng, d, main, t_eve, kind="care", priority=3)})
            add(main, "08:05", "no_response_closable", "closable", kind="care", priority=4,
                reason="Hudutslag")
            add(main, "09:05", "to_unscheduled", "psych", kind="care", priority=4,
                reason="Nedstämdhet")
            add(main, "09:10", "stale_role", "stale", kind="care", priority=3, reason="Urinvägsbesvär")
            add(main, "10:40", None, "protected", kind="care", priority=3, protected=True)
            add(main, "11:50", "half_day_doctor", "doc1", kind="care", priority=3, reason="Högt blodtryck")
            add(main, "12:10", "half_day_doctor", "doc2", kind="care", priority=2, reason="Bröstsmärta")
            if private:
                add(main, "10:10", "ticket_handover", "ticket", kind="care", priority=4,
                    reason="Ont i knät")
        if lunch and self._scripted_day(lunch, d):
            add(lunch, "09:30", "sick_nurse", "sick1", kind="care", priority=3)
            add(lunch, "09:50", "sick_nurse", "sick2", kind="care", priority=4)
            add(lunch, "09:40", "unaccepted_handover", "unaccepted", kind="care", priority=3,
                reason="Yrsel")
            add(lunch, "08:40", "premature_close", "premature", kind="care", priority=4,
                reason="Allergi")
            add(lunch, "12:20", None, "lunch_arrival", kind="care", priority=3)
        if weekend and self.day_span(weekend, d):
            span = self.day_span(weekend, d)
            base = max(span[0], local_instant(d, "10:00", TZ))
            if base + timedelta(minutes=45) < span[1]:
                for k in range(rng.randint(20, 28)):  # a surge of load
                    t = base + timedelta(seconds=rng.uniform(0, 45 * 60))
                    out.append({"at": t, "unit_id": weekend, "script": "surge", "tag": f"surge{k}",
                                "case": self._new_case(rng, d, weekend, t,
                                                       priority=rng.choice((2, 3, 3, 4, 4, 4, 5)))})
                self._surge = (weekend, base + timedelta(minutes=35))
            if self._scripted_day(weekend, d):
                add(weekend, "12:30", "awaiting_reply", "awaiting", kind="care", priority=3)
                if lunch and self._scripted_day(lunch, d):
                    add(weekend, "11:20", "urgent_handover", "urgent", kind="care", priority=2,
                        reason="Andningsbesvär")
                if rng.random() < 0.5:
                    add(weekend, "13:15", None, "infant", kind="care", priority=3,
                        reason="Feber", min_age=0.3)
        return out

    def _initial_backlog(self, rng, d: date) -> list[dict]:
        """A case held for days by someone on long leave (long_absence)."""
        out = []
        main = self.by_role.get("main")
        leave = [s for s in self.on_leave if self.staff[s]["unit_id"] == main]
        if main and leave:
            t = local_instant(d - timedelta(days=5), "09:00", TZ)
            out.append({"at": t, "unit_id": main, "script": "long_absence", "tag": "longabs",
                        "owner": sorted(leave)[0],
                        "case": self._new_case(rng, d, main, t, kind="care", priority=4,
                                               reason="Ryggont")})
        return out

    def _plan_case(self, rng, a: dict, ev) -> None:
        cid, uid, t0, case = a["id"], a["unit_id"], a["at"], a["case"]
        case = dict(case, id=cid, url=f"https://clinic.example/cases/{cid}", version=1,
                    updated_at=case["created_at"])
        ev(t0, "arrive", case=case, requires_accepted=a.get("requires_accepted"))
        script = a.get("script")
        flow = _Flow(self, rng, ev, cid, uid)
        d = self._d
        L = lambda hhmm: local_instant(d, hhmm, TZ)  # noqa: E731
        if script == "long_absence":
            owner = a["owner"]
            flow.at(t0 + _u(rng, 5, 20), "receive", actor=owner, force=True)
            flow.at(t0 + _u(rng, 25, 35), "start", force=True)
            flow.at(t0 + _u(rng, 40, 60), "patient_msg")
            flow.at(t0 + timedelta(days=1, hours=2), "patient_msg")
            return
        if script == "to_unscheduled":
            nurse = flow.receive(L("09:20"), ["nurse"])
            if nurse:
                flow.steps([("start", 4), ("patient_msg", 10), ("staff_msg", 6),
                            ("to_role", 5, {"profession": "psychologist"})], allow_stop=True)
            return
        if script == "stale_role":
            if flow.receive(L("09:25"), ["nurse"]):
                flow.steps([("start", 3), ("patient_msg", 8), ("staff_msg", 5),
                            ("to_role", 4, {"profession": "doctor"}),
                            ("pickup", 225, {"profession": "doctor"}), ("staff_msg", 4),
                            ("patient_msg", 9), ("close", 15, {"reason": "resolved"})])
            return
        if script == "half_day_doctor":
            doctors = [s for s in self.unit_staff[uid] if self.staff_prof[s] == "doctor"]
            doc = doctors[1] if len(doctors) > 1 else None
            if doc and self.present(uid, t0 + _u(rng, 20, 24), ["doctor"]):
                t = t0 + _u(rng, 20, 24)
                flow.at(t, "receive", actor=doc, force=True)
                flow.at(t + _u(rng, 2, 5), "start", force=True)
                flow.at(t + _u(rng, 8, 12), "patient_msg")
                flow.at(t + _u(rng, 14, 18), "staff_msg", force=True)
            return
        if script == "sick_nurse":
            nurses = [s for s in self.unit_staff[uid] if self.staff_prof[s] == "nurse"
                      and s not in self.on_leave]
            nurse = nurses[1] if len(nurses) > 1 else None
            if nurse:
                t = t0 + _u(rng, 10, 20)
                flow.at(t, "receive", actor=nurse, force=True)
                flow.at(t + _u(rng, 2, 6), "start", force=True)
                flow.at(t + _u(rng, 10, 15), "patient_msg")
                flow.at(t + _u(rng, 18, 25), "staff_msg", force=True)
            return
        if script == "unaccepted_handover":
            if flow.receive(L("09:55"), ["nurse"], exclude=self._lunch_special(uid)):
                main = self.by_role.get("main")
                flow.steps([("start", 5), ("patient_msg", 6),
                            ("unit_handover", 14, {"to_unit_id": main, "urgent": False})])
            return
        if script == "premature_close":
            if flow.receive(L("08:55"), ["nurse"], exclude=self._lunch_special(uid)):
                flow.steps([("start", 15), ("attempt", 30),
                            ("close", 50, {"reason": "no_response", "notice": "seek_care_again"})])
            return
        if script == "no_response_closable":
            if flow.receive(L("08:15"), ["nurse"], min_left=400):
                flow.steps([("start", 5), ("attempt", 40), ("attempt", 150),
                            ("close", 185, {"reason": "no_response", "notice": "seek_care_again"})])
            return
        if script == "ticket_handover":
            private = self.by_role["private"]
            if flow.receive(t0 + _u(rng, 10, 20), ["physiotherapist", "nurse"]):
                flow.steps([("start", 4), ("patient_msg", 6), ("staff_msg", 5),
                            ("unit_handover", 6, {"to_unit_id": private, "urgent": False,
                                                  "ticket": True}),
                            ("ticket_confirm", 12), ("accept", 20, {"to_unit_id": private})])
            return
        if script == "urgent_handover":
            lunch = self.by_role["lunch"]
            if flow.receive(t0 + _u(rng, 3, 8), ["nurse", "doctor"]):
                flow.steps([("start", 2), ("patient_msg", 4), ("staff_msg", 3),
                            ("unit_handover", 4, {"to_unit_id": lunch, "urgent": True}),
                            ("accept", 8, {"to_unit_id": lunch})])
                self._plan_followup(rng, a, lunch, flow.last + timedelta(seconds=30), ev)
            return
        if script == "awaiting_reply":
            if flow.receive(t0 + _u(rng, 10, 20), ["nurse"], min_left=120):
                flow.steps([("start", 3), ("patient_msg", 6), ("staff_msg", 5),
                            ("patient_msg", 12)])
            return
        self._plan_generic(rng, a, flow, ev, surge=(script == "surge"))

    def _lunch_special(self, uid):
        nurses = [s for s in self.unit_staff[uid] if self.staff_prof[s] == "nurse"
                  and s not in self.on_leave]
        return set(nurses[:2])

    def _plan_followup(self, rng, a, to_uid, at, ev):
        case = self._new_case(rng, self._d, to_uid, at, kind=a["case"]["kind"],
                              priority=a["case"]["priority"], reason=a["case"]["reason"])
        case["patient"] = dict(a["case"]["patient"])
        follow = {"id": a["id"] + "-h", "at": at, "unit_id": to_uid, "case": case,
                  "requires_accepted": a["id"]}
        self._plan_generic(rng, follow, _Flow(self, rng, ev, follow["id"], to_uid), ev,
                           arrive=True)

    def _plan_generic(self, rng, a, flow: "_Flow", ev, surge=False, arrive=False) -> None:
        if arrive:
            case = dict(a["case"], id=a["id"], url=f"https://clinic.example/cases/{a['id']}",
                        version=1, updated_at=a["case"]["created_at"])
            ev(a["at"], "arrive", case=case, requires_accepted=a.get("requires_accepted"))
        uid, case, t0 = a["unit_id"], a["case"], a["at"]
        kind, prio, reason = case["kind"], case["priority"], case["reason"]
        if kind == "admin":
            profs = ["admin_contact", "medical_admin"]
            wait = (15, 200)
        else:
            profs = ["nurse"]
            if prio is not None and prio >= 4:
                profs = ["nurse", "assistant_nurse"]
            if reason in PHYSIO_REASONS:
                profs = ["physiotherapist", "nurse"]
            wait = {1: (2, 8), 2: (5, 40), 3: (10, 140), 4: (20, 220), 5: (20, 260)}[prio]
        if surge:
            wait = (wait[0] + 40, wait[1] + 120)
        t_open = self.next_open(uid, t0)
        if t_open is None:
            return  # arrived after closing: tomorrow's backlog takes it
        t_recv = t_open + _u(rng, *wait)
        span = self.day_span(uid, self._d)
        if span is None:
            return
        cutoff = span[1] - timedelta(minutes=15 if prio in (1, 2) else 50)
        actor = None
        while t_recv < cutoff:
            if self.next_open(uid, t_recv) == t_recv:
                actor = flow.receive(t_recv, profs)
                if actor:
                    break
            t_recv += timedelta(minutes=15)
        if not actor:
            return  # left waiting for the next working day
        self._generic_tail(rng, flow, kind, prio, reason, uid)

    def _generic_tail(self, rng, flow: "_Flow", kind, prio, reason, uid) -> None:
        R = rng.uniform
        if kind == "admin":
            steps = [("start", R(1, 6)), ("staff_msg", R(1, 4))]
            if rng.random() < 0.4:
                steps += [("patient_msg", R(3, 30)), ("staff_msg", R(2, 20))]
            has_secretary = any(self.staff_prof[s] == "medical_admin"
                                for s in self.unit_staff.get(uid, ()))
            if rng.random() < 0.1 and has_secretary:
                steps += [("to_role", R(2, 8), {"profession": "medical_admin"}),
                          ("pickup", R(15, 120), {"profession": "medical_admin"}),
                          ("staff_msg", R(2, 10))]
            steps.append(("close", R(2, 20), {"reason": "resolved"}))
            flow.steps(steps)
            return
        others = [u for u in self.activated() if u != uid and self.roles[u] != "private"]
        outcome = rng.choices(
            ("resolved", "role", "no_response", "awaiting", "unit_handover"),
            weights=(70, 14, 7, 4, 3 if others else 0))[0]
        steps = [("start", R(1, 10))]
        if outcome == "resolved":
            for _ in range(rng.randint(0, 3)):
                steps += [("patient_msg", R(2, 25)), ("staff_msg", R(2, 20))]
            close = {"reason": "resolved"}
            if rng.random() < 0.2:
                close["reopen_days"] = 14
            if rng.random() < 0.05:
                steps.append(("notice", R(1, 3), {"template_id": "lab_visit"}))
            steps.append(("close", R(2, 30), close))
        elif outcome == "role":
            roster = {self.staff_prof[s] for s in self.unit_staff.get(uid, ())
                      if s not in self.on_leave}
            target = "doctor"
            if reason in PSYCH_REASONS:
                target = rng.choice(("psychologist", "counsellor", "doctor"))
            elif reason in PHYSIO_REASONS:
                target = "physiotherapist"
            if target not in roster:
                target = "doctor" if "doctor" in roster else "nurse"
            pickup = R(10, 90) if rng.random() < 0.9 else R(200, 300)
            steps += [("patient_msg", R(2, 20)), ("staff_msg", R(2, 15)),
                      ("to_role", R(2, 15), {"profession": target}),
                      ("pickup", pickup, {"profession": target}), ("staff_msg", R(1, 10)),
                      ("patient_msg", R(3, 20)), ("close", R(5, 30), {"reason": "resolved"})]
        elif outcome == "no_response":
            steps += [("attempt", R(25, 60)), ("attempt", R(125, 170)),
                      ("close", R(160, 200), {"reason": "no_response", "notice": "seek_care_again"})]
        elif outcome == "awaiting":  # the patient's last message waits long for a reply
            steps += [("patient_msg", R(2, 20)), ("staff_msg", R(2, 20)), ("patient_msg", R(5, 30)),
                      ("staff_msg", R(150, 260)), ("close", R(5, 20), {"reason": "resolved"})]
        else:
            to = rng.choice(others)
            steps += [("patient_msg", R(2, 15)), ("staff_msg", R(2, 10)),
                      ("unit_handover", R(3, 12), {"to_unit_id": to, "urgent": prio in (1, 2)})]
            if rng.random() < 0.8:
                steps.append(("accept", R(5, 40), {"to_unit_id": to}))
        flow.steps(steps, allow_stop=True)

    # ------------------------------------------------------------------ event handlers
    # Each returns False when the event was skipped.
    def _case(self, world: World, ev) -> dict | None:
        cid = ev.data["case_id"]
        if cid in self.static:
            return None
        c = world.store["cases"].get(cid)
        if c is None or c["status"] == "closed":
            return None
        return c

    def _owner_actor(self, world: World, case: dict, at: datetime) -> str | None:
        o = case.get("owner")
        if not o or o.get("type") != "person":
            return None
        sid = o["staff_id"]
        return sid if world.present(sid, case["unit_id"], at) else None

    def _on_publish_shift(self, world, at, ev):
        sh = ev.data["shift"]
        if sh["id"] in world.store["shifts"]:
            return False
        world._insert("shifts", dict(sh))

    def _on_shift_update(self, world, at, ev):
        sh = world.store["shifts"].get(ev.data["shift_id"])
        if sh is None:
            return False
        sh.update(ev.data["changes"])
        world._update("shifts", sh, at)

    def _on_login(self, world, at, ev):
        st = world.store["staff"].get(ev.data["staff_id"])
        if st is None or st.get("logged_in") == ev.data["logged_in"]:
            return False
        st["logged_in"] = ev.data["logged_in"]
        world._update("staff", st, at)

    def _on_coordinator(self, world, at, ev):
        uid, sid, expect = ev.data["unit_id"], ev.data["staff_id"], ev.data["expect"]
        cur = (world.coordinators.get(uid) or {}).get("staff_id")
        if expect != "any" and cur != expect:
            return False  # someone (a client) changed it meanwhile
        if sid is not None and not world.present(sid, uid, at):
            return False
        if cur == sid:
            return False
        world._set_coordinator_raw(uid, sid, iso(at))

    def _on_arrive(self, world, at, ev):
        case = ev.data["case"]
        if case["id"] in world.store["cases"]:
            return False
        src = ev.data.get("requires_accepted")
        if src:
            s = world.store["cases"].get(src)
            if not s or not s.get("handover") or not s["handover"].get("accepted_at"):
                return False
        world._insert("cases", copy.deepcopy(case))

    def _on_receive(self, world, at, ev):
        c = self._case(world, ev)
        if c is None or c["status"] != "waiting" or c.get("handover"):
            return False
        uid = c["unit_id"]
        o = c.get("owner")
        planned = ev.data.get("actor")
        actor = None
        if o and o.get("type") == "person":
            actor = o["staff_id"] if world.present(o["staff_id"], uid, at) else None
        elif o and o.get("type") == "role":
            ids = world.present_staff(uid, at, o["profession"])
            actor = planned if planned in ids else (ids[0] if ids else None)
        elif planned and (ev.data.get("force") or world.present(planned, uid, at)):
            actor = planned
        else:
            for p in ev.data.get("profs") or ():
                ids = world.present_staff(uid, at, p)
                if ids:
                    actor = ids[0]
                    break
        if actor is None:
            return False
        c.update(status="received", owner={"type": "person", "staff_id": actor},
                 owner_since=iso(at), received_at=iso(at))
        world._update("cases", c, at)

    def _step(self, world, at, ev, need=("received", "started")):
        c = self._case(world, ev)
        if c is None or c["status"] not in need:
            return None, None
        if c.get("handover") and not ev.data.get("after_handover"):
            return None, None
        if ev.data.get("force"):
            o = c.get("owner") or {}
            return c, o.get("staff_id")
        actor = self._owner_actor(world, c, at)
        return c, actor

    def _on_start(self, world, at, ev):
        c, actor = self._step(world, at, ev, need=("received",))
        if c is None or actor is None:
            return False
        c.update(status="started", started_at=iso(at), last_staff_message_at=iso(at))
        world._update("cases", c, at)

    def _on_staff_msg(self, world, at, ev):
        c, actor = self._step(world, at, ev, need=("started",))
        if c is None or actor is None:
            return False
        c["last_staff_message_at"] = iso(at)
        world._update("cases", c, at)

    def _on_patient_msg(self, world, at, ev):
        c = self._case(world, ev)
        if c is None or c["status"] not in ("received", "started"):
            return False
        c["last_patient_message_at"] = iso(at)
        world._update("cases", c, at)

    def _on_attempt(self, world, at, ev):
        c, actor = self._step(world, at, ev, need=("started",))
        if c is None or actor is None:
            return False
        c.setdefault("contact_attempts", []).append(iso(at))
        world._update("cases", c, at)

    def _on_close(self, world, at, ev):
        c, actor = self._step(world, at, ev)
        if c is None or actor is None:
            return False
        c.update(status="closed", closed_at=iso(at), close_reason=ev.data["reason"])
        if ev.data.get("notice"):
            c.setdefault("notices", []).append({"template_id": ev.data["notice"], "sent_at": iso(at)})
        if ev.data.get("reopen_days"):
            c["reopen_until"] = iso(at + timedelta(days=ev.data["reopen_days"]))
        world._update("cases", c, at)

    def _on_notice(self, world, at, ev):
        c, actor = self._step(world, at, ev)
        if c is None or actor is None:
            return False
        c.setdefault("notices", []).append({"template_id": ev.data["template_id"], "sent_at": iso(at)})
        world._update("cases", c, at)

    def _on_to_role(self, world, at, ev):
        c, actor = self._step(world, at, ev)
        if c is None or actor is None:
            return False
        c.update(owner={"type": "role", "profession": ev.data["profession"]}, owner_since=iso(at))
        world._update("cases", c, at)

    def _on_pickup(self, world, at, ev):
        c = self._case(world, ev)
        if c is None or c.get("handover"):
            return False
        o = c.get("owner")
        if not o or o.get("type") != "role":
            return False
        ids = world.present_staff(c["unit_id"], at, o["profession"])
        planned = ev.data.get("actor")
        actor = planned if planned in ids else (ids[0] if ids else None)
        if actor is None:
            return False
        c.update(owner={"type": "person", "staff_id": actor}, owner_since=iso(at))
        if c["status"] == "waiting":
            c.update(status="received", received_at=iso(at))
        world._update("cases", c, at)

    def _on_unit_handover(self, world, at, ev):
        c, actor = self._step(world, at, ev)
        if c is None or actor is None:
            return False
        to = ev.data["to_unit_id"]
        if to not in world.units or to == c["unit_id"]:
            return False
        ho = {"to_unit_id": to, "requested_at": iso(at), "accepted_at": None,
              "urgent": bool(ev.data.get("urgent"))}
        if ev.data.get("ticket"):
            ho["ticket"] = {"priority": c["priority"] or 3,
                            "valid_until": iso(at + timedelta(days=2)),
                            "confirmed_by_patient": False}
            c.setdefault("notices", []).append({"template_id": "confirm_ticket", "sent_at": iso(at)})
        else:
            ho["ticket"] = None
        c["handover"] = ho
        world._update("cases", c, at)

    def _on_ticket_confirm(self, world, at, ev):
        c = self._case(world, ev)
        if c is None or not c.get("handover") or not c["handover"].get("ticket"):
            return False
        c["handover"]["ticket"]["confirmed_by_patient"] = True
        c["last_patient_message_at"] = iso(at)
        world._update("cases", c, at)

    def _on_accept(self, world, at, ev):
        c = self._case(world, ev)
        if c is None:
            return False
        ho = c.get("handover")
        if not ho or ho.get("accepted_at") or ho.get("to_unit_id") != ev.data["to_unit_id"]:
            return False
        ho["accepted_at"] = iso(at)
        ticket = bool(ho.get("ticket"))
        c.update(status="closed", closed_at=iso(at),
                 close_reason="ticket_sent" if ticket else "handed_over")
        if not ticket:
            c.setdefault("notices", []).append({"template_id": "handed_over", "sent_at": iso(at)})
        world._update("cases", c, at)

    def _on_bulk_notice(self, world, at, ev):
        uid, tid, select = ev.data["unit_id"], ev.data["template_id"], ev.data["select"]
        if not any(t["id"] == tid for t in world.templates):
            return False
        today = at.astimezone(zone(TZ)).date()
        day_start = local_instant(today, "00:00", TZ)
        hit = 0
        for c in list(world.store["cases"].values()):
            if c["unit_id"] != uid or c["status"] not in OPEN_STATUSES or c["id"] in self.static:
                continue
            if c.get("handover") and c["handover"].get("accepted_at"):
                continue
            if select == "end_of_day":
                if c["kind"] == "care" and c["priority"] in (1, 2):
                    continue
                if any(n["template_id"] == tid and parse_iso(n["sent_at"]) >= day_start
                       for n in c.get("notices", [])):
                    continue
                if random.Random(f"{self.seed}:{c['id']}:{today}:eod").random() < 0.15:
                    continue  # forgotten: next_day_notice_due shows it
            elif select == "waiting_care":
                if c["status"] != "waiting" or c["kind"] != "care":
                    continue
            c.setdefault("notices", []).append({"template_id": tid, "sent_at": iso(at)})
            world._update("cases", c, at)
            hit += 1
        return hit > 0

    def _on_backlog(self, world, at, ev):
        """At opening: plan today's handling of open cases left from earlier days."""
        uid = ev.data["unit_id"]
        today = at.astimezone(zone(TZ)).date()
        day_start = local_instant(today, "00:00", TZ)
        old = [c for c in world.store["cases"].values()
               if c["unit_id"] == uid and c["status"] in OPEN_STATUSES
               and c["id"] not in self.static and not c.get("handover")
               and parse_iso(c["created_at"]) < day_start]
        old.sort(key=lambda c: (c["priority"] or 9, c["created_at"], c["id"]))
        self._d = today
        # Stöd och service closes cases held for over a week by someone long absent (§10.1)
        week_ago = at - timedelta(days=7)
        for c in [c for c in old if parse_iso(c["created_at"]) < week_ago
                  and (c.get("owner") or {}).get("type") == "person"
                  and not world.present(c["owner"]["staff_id"], uid, at)]:
            c.update(status="closed", closed_at=iso(at), close_reason="resolved")
            world._update("cases", c, at)
            old.remove(c)
        for c in old[:60]:
            rng = random.Random(f"{self.seed}:{today}:backlog:{c['id']}")
            n = [0]

            def evp(t, kind, _c=c, _n=n, **data):
                _n[0] += 1
                self.push(max(t, at), f"{today:%Y%m%d}:dyn:{_c['id']}:{_n[0]:03d}", kind, **data)

            flow = _Flow(self, rng, evp, c["id"], uid)
            o = c.get("owner")
            t0 = at + _u(rng, 0, 90)
            if c["status"] == "waiting":
                profs = ["admin_contact", "medical_admin"] if c["kind"] == "admin" else ["nurse"]
                if flow.receive(t0, profs):
                    self._generic_tail(rng, flow, c["kind"], c["priority"], c["reason"], uid)
            elif o and o.get("type") == "role":
                flow.steps([("pickup", 0, {"profession": o["profession"]}), ("staff_msg", 5),
                            ("close", rng.uniform(10, 40), {"reason": "resolved"})],
                           start=t0)
            elif o and o.get("type") == "person" and o["staff_id"] in self.present(uid, t0):
                flow.cur = o["staff_id"]
                flow.last = t0
                steps = [("start", 2)] if c["status"] == "received" else []
                steps += [("staff_msg", rng.uniform(2, 20)),
                          ("close", rng.uniform(5, 40), {"reason": "resolved"})]
                flow.steps(steps)
        return bool(old)

    def _on_purge(self, world, at, ev):
        """Forget long-closed cases and old shifts so memory stays flat over long runs."""
        horizon = at - timedelta(days=3)
        gone = [c["id"] for c in world.store["cases"].values()
                if c["status"] == "closed" and c.get("closed_at") and parse_iso(c["closed_at"]) < horizon]
        for cid in gone:
            world._remove("cases", cid)
        old_shifts = [s["id"] for s in world.store["shifts"].values()
                      if parse_iso(s["end"]) < at - timedelta(days=7)]
        for sid in old_shifts:
            world._remove("shifts", sid)
        for d in [d for d in self.shifts if d < at.date() - timedelta(days=8)]:
            del self.shifts[d]
        return bool(gone or old_shifts)


class _Flow:
    """Plans the steps of one case with an owner who is present, handing the case over to
    the owner's profession queue before the owner leaves and letting a colleague pick it up."""

    def __init__(self, eng: DayEngine, rng, ev, case_id: str, unit_id: str):
        self.eng, self.rng, self.ev, self.cid, self.uid = eng, rng, ev, case_id, unit_id
        self.cur: str | None = None
        self.last: datetime | None = None

    def at(self, t, kind, actor=None, force=False, **data):
        if force:
            data["force"] = True
        self.ev(t, kind, case_id=self.cid, actor=actor, **data)
        self.last = t

    def receive(self, t, profs, min_left=30, exclude=()) -> str | None:
        actor = self.eng.pick(self.rng, self.uid, t, profs, min_left=min_left, exclude=exclude)
        if actor is None:
            return None
        self.ev(t, "receive", case_id=self.cid, actor=actor, profs=list(profs))
        self.cur, self.last = actor, t
        return actor

    def steps(self, steps, allow_stop=True, start=None) -> None:
        eng, rng = self.eng, self.rng
        t = start or self.last
        for step in steps:
            kind, delay = step[0], step[1]
            data = step[2] if len(step) > 2 else {}
            t = t + timedelta(minutes=delay)
            if kind == "pickup":
                prof = data["profession"]
                nxt = eng.pick(rng, self.uid, t, [prof], min_left=20)
                if nxt is None:
                    return  # nobody of that profession: the case waits in the queue
                self.ev(t, "pickup", case_id=self.cid, actor=nxt, profession=prof)
                self.cur, self.last = nxt, t
                continue
            if kind in OWNER_KINDS:
                if self.cur is None:
                    return
                end = eng.presence_end(self.cur, self.uid, self.last)
                if end is None:
                    return
                if t >= end - timedelta(minutes=5):
                    # the owner leaves first: hand over to their profession's queue
                    # (when nobody of the profession stays, the owner keeps the case)
                    prof = eng.staff_prof[self.cur]
                    th = max(self.last + MIN, end - _u(rng, 8, 20))
                    if th >= end:
                        return
                    tp = th + _u(rng, 5, 40)
                    nxt = eng.pick(rng, self.uid, tp, [prof], min_left=30, exclude={self.cur})
                    if nxt is None:
                        return
                    self.ev(th, "to_role", case_id=self.cid, actor=self.cur, profession=prof)
                    self.ev(tp, "pickup", case_id=self.cid, actor=nxt, profession=prof)
                    self.cur, self.last = nxt, tp
                    t = max(t, tp + 2 * MIN)
                self.ev(t, kind, case_id=self.cid, actor=self.cur, **data)
                self.last = t
                if kind == "to_role":
                    self.cur = None
                continue
            self.ev(t, kind, case_id=self.cid, **data)
            self.last = t


# ====================================================================== public API
def _units_for(rng: random.Random, n: int, start_date: date) -> tuple[list[dict], dict[str, str]]:
    roles_order = ["main", "lunch", "weekend", "private", "inactive"][:n]
    pool = UNIT_POOL[:]
    rng.shuffle(pool)
    units, roles = [], {}
    for k, role in enumerate(roles_order):
        if role == "private":
            uid, name = rng.choice(PRIVATE_POOL)
        elif role == "inactive":
            uid, name = rng.choice(INACTIVE_POOL)
        else:
            uid, name = pool.pop()
        week = {str(i): [{"open": "08:00", "close": "17:00"}] for i in range(1, 6)}
        if role == "lunch":
            week = {str(i): [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}]
                    for i in range(1, 6)}
        elif role == "weekend":
            week.update({"6": [{"open": "10:00", "close": "16:00"}],
                         "7": [{"open": "10:00", "close": "16:00"}]})
        elif role == "private":
            week = {str(i): [{"open": "08:00", "close": "16:30"}] for i in range(1, 6)}
        special, closed = {}, []
        # a shortened Friday two weeks ahead (staff meeting) and a training day later on
        fri = start_date + timedelta(days=(4 - start_date.weekday()) % 7 + 14)
        if role == "main":
            special[fri.isoformat()] = [{"open": "08:00", "close": "15:00"}]
        if role == "lunch":
            closed.append((start_date + timedelta(days=(2 - start_date.weekday()) % 7 + 21)).isoformat())
        if role == "weekend":
            sat = start_date + timedelta(days=(5 - start_date.weekday()) % 7 + 14)
            special[sat.isoformat()] = []
        units.append({
            "id": uid, "name": name, "region": "Östergötland", "timezone": TZ,
            "activated": role != "inactive", "private": role == "private",
            "opening_hours": week, "special_hours": special, "closed_dates": closed,
            "care_to_care_phone": f"010-000 {10 + k:02d} {rng.randint(0, 99):02d}",
            "version": 1, "updated_at": iso(local_instant(start_date - timedelta(days=30), "12:00", TZ)),
        })
        roles[uid] = role
    return units, roles


def _staff_for(rng, units, roles, at: datetime) -> tuple[list[dict], set[str]]:
    staff, on_leave, used = [], set(), set()
    for u in units:
        role = roles[u["id"]]
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
                sid = f"{u['id']}-s{n:02d}"
                staff.append({
                    "id": sid, "unit_id": u["id"], "name": name, "title": TITLES[p],
                    "professions": [p], "logged_in": False, "phone": names.phone(rng),
                    "version": 1, "updated_at": iso(at),
                })
                if prof == "nurse_leave":
                    on_leave.add(sid)
    return staff, on_leave


def generate_world(seed: int = 1, start: datetime | str | None = None, speed: float = 1.0,
                   preload_cases: int = 0, *, log_retention: int = 10_000,
                   reassign_person_held: bool = False, units: int | None = None) -> World:
    """A generated live day. ``speed`` = simulated seconds per real second (0 freezes the
    clock: then only ``world.advance()`` moves it). ``start`` defaults to the most recent
    working day 07:30 Europe/Stockholm at or before now."""
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
    unit_list, roles = _units_for(rng, n_units, start_date)
    created = local_instant(start_date - timedelta(days=30), "12:00", TZ)
    staff, on_leave = _staff_for(rng, unit_list, roles, created)
    world = World(units=unit_list, staff=staff, templates=TEMPLATES,
                  capabilities={"reassign_person_held": reassign_person_held},
                  clock=SimClock(start, speed=0), seed=seed, log_retention=log_retention,
                  name=f"generated seed {seed}")
    first = start_date - timedelta(days=1)
    engine = DayEngine(seed, unit_list, roles, staff, on_leave, first)
    world.engine = engine
    with world.lock:
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
    staff_by_unit = {u: [s for s in engine.unit_staff.get(u, []) if s not in engine.on_leave]
                     for u in units}
    for i in range(1, n + 1):
        uid = units[i % len(units)]
        at = start - timedelta(seconds=rng.uniform(60, 8 * 3600))
        case = engine._new_case(rng, d, uid, at)
        cid = f"p-{i:05d}"
        case.update(id=cid, url=f"https://clinic.example/cases/{cid}", version=1,
                    updated_at=case["created_at"])
        r = rng.random()
        if r > 0.7 and staff_by_unit[uid]:
            sid = rng.choice(staff_by_unit[uid])
            t = at + timedelta(minutes=rng.uniform(1, 30))
            case.update(status="received", owner={"type": "person", "staff_id": sid},
                        owner_since=iso(_rt(t)), received_at=iso(_rt(t)))
            if r > 0.85:
                case.update(status="started", started_at=iso(_rt(t + MIN)),
                            last_staff_message_at=iso(_rt(t + MIN)))
        engine.static.add(cid)
        world._insert("cases", case)
