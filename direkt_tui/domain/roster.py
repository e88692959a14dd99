"""The roster and each person's load ("Bemanning", issue 13 §2, §3). Pure: no I/O, no clock; the
instant is passed in.

- :func:`unit_roster`: per unit, every staff member on shift now or later today (shifts today,
  present now, logged in, until when) with the open cases each holds, how many await a reply
  and the oldest reply wait (working minutes); those off shift who still hold cases come first.
  Per profession: present now / scheduled later today.
- **Gaps ahead** (guideline §9.2, §10.1): intervals of today's remaining opening hours with no
  clinician scheduled (:func:`coverage_gaps`), and the coordinator's presence ending within the
  shift-end warning window, before the unit closes, with nobody taking over the role
  (``handover_due``, with who present could take it).
- :func:`rank_targets`: who can take a reassigned case: present people only, least loaded
  first, those leaving within the shift-end window last; :func:`spread`: round robin by load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .calendar import UnitCalendar
from .contract import ACTIVE_STATUSES
from .deadlines import Deadline
from .models import CLINICAL, Case, Shift, Snapshot
from .presence import Roster


@dataclass(frozen=True, slots=True)
class PersonLoad:
    """One staff member of a unit today, and the open cases they hold there."""

    staff_id: str
    unit_id: str
    name: str
    professions: tuple[str, ...]  # of their shifts today (else their staff professions)
    shifts: tuple[tuple[datetime, datetime], ...]  # today's shifts in the unit, in order
    present: bool
    logged_in: bool
    until: datetime | None  # when their presence ends (None: not present)
    next_start: datetime | None  # their next shift's start today (None: none later)
    case_ids: tuple[str, ...]  # the open cases they hold (active: received / started)
    awaiting_reply: int
    oldest_reply_minutes: float | None  # working minutes the longest-waiting patient waited

    @property
    def active(self) -> int:
        return len(self.case_ids)

    @property
    def off_shift_holding(self) -> bool:
        """Off shift now but still holding cases (shown first: those cases need another owner)."""
        return not self.present and bool(self.case_ids)

    @property
    def clinical(self) -> bool:
        return any(p in CLINICAL for p in self.professions)

    def gaps(self) -> list[tuple[datetime, datetime]]:
        """The breaks between today's shifts (lunch)."""
        out = []
        for (_a, b), (c, _d) in zip(self.shifts, self.shifts[1:], strict=False):
            if c > b:
                out.append((b, c))
        return out


@dataclass(frozen=True, slots=True)
class UnitRoster:
    unit_id: str
    at: datetime
    people: tuple[PersonLoad, ...]  # off-shift holders first, then present, then later today
    present_by_profession: Mapping[str, int]
    later_by_profession: Mapping[str, int]  # not present now, a shift later today
    coverage_gaps: tuple[tuple[datetime, datetime], ...]
    coordinator_id: str | None
    coordinator_until: datetime | None  # the coordinator's presence end (None: none / absent)
    handover_due: bool  # the coordinator leaves within the warning window before closing
    handover_candidates: tuple[str, ...] = field(default=())  # present clinicians who could take it

    def person(self, staff_id: str) -> PersonLoad | None:
        return next((p for p in self.people if p.staff_id == staff_id), None)


def _today(cal: UnitCalendar, at: datetime) -> tuple[datetime, datetime]:
    start = cal.start_of_day(at)
    end = cal.start_of_day(start + timedelta(hours=36))  # the next local midnight (DST-safe)
    return start, end


def coverage_gaps(
    cal: UnitCalendar, shifts: Iterable[Shift], unit_id: str, at: datetime
) -> list[tuple[datetime, datetime]]:
    """The intervals of today's remaining opening hours (from ``at``) with no clinician on a
    scheduled (non-cancelled) clinical shift in the unit."""
    day = cal.local_date(at)
    clinical = sorted(
        (s.start, s.end)
        for s in shifts
        if s.unit_id == unit_id and not s.cancelled and s.profession in CLINICAL and s.end > at
    )
    out: list[tuple[datetime, datetime]] = []
    for a, b in cal.intervals_on(day):
        a = max(a, at)
        if a >= b:
            continue
        cursor = a
        for s, e in clinical:
            if e <= cursor or s >= b:
                continue
            if s > cursor:
                out.append((cursor, s))
            cursor = max(cursor, e)
            if cursor >= b:
                break
        if cursor < b:
            out.append((cursor, b))
    return out


def _holdings(cases: Iterable[Case], unit_ids: Iterable[str]) -> dict[str, dict[str, list[Case]]]:
    """The active cases (``Case.is_active``) of each of ``unit_ids`` per person holding them, in
    one pass; the cheap checks first (``is_active`` only for the cases a person holds)."""
    out: dict[str, dict[str, list[Case]]] = {uid: {} for uid in unit_ids}
    active = ACTIVE_STATUSES
    for c in cases:
        o = c.owner
        if o is None or o.type != "person" or not o.staff_id or c.status not in active:
            continue
        mine = out.get(c.unit_id)
        if mine is None or not c.is_active:
            continue
        lst = mine.get(o.staff_id)
        if lst is None:
            mine[o.staff_id] = [c]
        else:
            lst.append(c)
    return out


def unit_roster(
    snap: Snapshot,
    unit_id: str,
    at: datetime,
    cal: UnitCalendar,
    shift_end_warning_minutes: int,
    roster: Roster | None = None,
    cases: Iterable[Case] | None = None,
    shifts: Iterable[Shift] | None = None,
    held: Mapping[str, list[Case]] | None = None,
    deadlines: Mapping[str, Deadline] | None = None,
) -> UnitRoster:
    """The roster of ``unit_id`` at ``at`` (see the module's docstring). ``roster``, ``cases``
    and ``shifts`` (the unit's, when the caller has grouped them) save a pass over the snapshot;
    ``held`` (the unit's active cases per person holding them) one more; ``deadlines`` (the rule
    engine's at ``at``) give the reply waits as the reply clock counted them."""
    roster = roster or Roster(snap.shifts)
    unit_shifts = [s for s in (snap.shifts if shifts is None else shifts) if s.unit_id == unit_id]
    day_start, day_end = _today(cal, at)
    if held is None:
        held = _holdings(snap.cases if cases is None else cases, (unit_id,))[unit_id]
    ids = {s.staff_id for s in unit_shifts if not s.cancelled and s.start < day_end and s.end > day_start}
    ids |= set(held)
    people: list[PersonLoad] = []
    present_by: dict[str, set[str]] = {}
    later_by: dict[str, set[str]] = {}
    for sid in ids:
        shifts = [s for s in roster.shifts_of(unit_id, sid) if s.start < day_end and s.end > day_start]
        cover = roster.covering(unit_id, sid, at)
        present = bool(cover)
        later = [s for s in shifts if s.start > at]
        if not present and not later and sid not in held:
            continue  # off for the rest of the day, holding nothing
        staff = snap.staff.get(sid)
        profs = tuple(sorted({s.profession for s in shifts})) or (staff.professions if staff else ())
        for s in cover:
            present_by.setdefault(s.profession, set()).add(sid)
        if not present:
            for s in later:
                later_by.setdefault(s.profession, set()).add(sid)
        mine = held.get(sid, [])
        if deadlines is not None:  # a person's case runs the reply clock exactly when the patient awaits one
            waits = [d.elapsed_seconds / 60.0 for c in mine if (d := deadlines.get(c.id)) and d.clock == "reply"]
        else:
            waits = [
                cal.working_minutes(c.last_patient_message_at, at)
                for c in mine
                if c.status == "started" and c.patient_awaits_reply and c.last_patient_message_at is not None
            ]
        people.append(
            PersonLoad(
                staff_id=sid,
                unit_id=unit_id,
                name=staff.name if staff else sid,
                professions=profs,
                shifts=tuple((s.start, s.end) for s in shifts),
                present=present,
                logged_in=bool(staff and staff.logged_in),
                until=roster.presence_end(unit_id, sid, at),
                next_start=min((s.start for s in later), default=None),
                case_ids=tuple(c.id for c in mine),
                awaiting_reply=len(waits),
                oldest_reply_minutes=max(waits) if waits else None,
            )
        )

    def order(p: PersonLoad) -> tuple[int, str, str]:
        group = 0 if p.off_shift_holding else 1 if p.present else 2
        return (group, p.name.casefold(), p.staff_id)

    people.sort(key=order)
    coord = snap.coordinators.get(unit_id)
    coord_id = coord.staff_id if coord is not None and coord.staff_id else None
    until = roster.presence_end(unit_id, coord_id, at) if coord_id else None
    handover = False
    candidates: tuple[str, ...] = ()
    if until is not None and until - at <= timedelta(minutes=shift_end_warning_minutes):
        close = cal.day_close(cal.local_date(at))
        handover = close is not None and until < close
        if handover:
            stay = [
                p
                for p in people
                if p.present and p.clinical and p.staff_id != coord_id and (p.until is None or p.until > until)
            ]
            candidates = tuple(p.staff_id for p in sorted(stay, key=lambda p: (p.active, p.name.casefold())))
    return UnitRoster(
        unit_id=unit_id,
        at=at,
        people=tuple(people),
        present_by_profession={k: len(v) for k, v in sorted(present_by.items())},
        later_by_profession={k: len(v) for k, v in sorted(later_by.items())},
        coverage_gaps=tuple(coverage_gaps(cal, unit_shifts, unit_id, at)),
        coordinator_id=coord_id,
        coordinator_until=until,
        handover_due=handover,
        handover_candidates=candidates,
    )


# -- who can take it (§3) -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Suggestion:
    """A reassignment target with its load; ``ending``: leaves within the shift-end window."""

    staff_id: str
    unit_id: str
    name: str
    profession: str
    active: int
    awaiting_reply: int
    until: datetime | None
    ending: bool


def rank_targets(ur: UnitRoster, shift_end_warning_minutes: int) -> list[Suggestion]:
    """The present people of a unit as reassignment targets: those not leaving within the
    shift-end window first, then least loaded (active cases, then awaiting a reply), then by
    name. Nobody who is not present is ever offered."""
    window = timedelta(minutes=shift_end_warning_minutes)
    out = []
    for p in ur.people:
        if not p.present:
            continue
        ending = p.until is not None and p.until - ur.at <= window
        prof = next((x for x in p.professions if x in CLINICAL), p.professions[0] if p.professions else "")
        out.append(Suggestion(p.staff_id, p.unit_id, p.name, prof, p.active, p.awaiting_reply, p.until, ending))
    out.sort(key=lambda s: (s.ending, s.active, s.awaiting_reply, s.name.casefold(), s.staff_id))
    return out


def why_not_offered(ur: UnitRoster, staff_id: str) -> str | None:
    """Why ``staff_id`` is not a target (a catalogue key), None when they are: not on shift
    today, off shift now (a later shift), or not in the unit at all."""
    p = ur.person(staff_id)
    if p is None:
        return "roster.why.no_shift"
    if p.present:
        return None
    return "roster.why.later" if p.next_start is not None else "roster.why.off_shift"


def rosters(
    snap: Snapshot,
    open_cases: Iterable[Case],
    at: datetime,
    units: Mapping[str, tuple[UnitCalendar, int]],
    deadlines: Mapping[str, Deadline] | None = None,
) -> dict[str, UnitRoster]:
    """The roster of each unit of ``units`` (unit id → (calendar, shift-end warning minutes)),
    the snapshot's shifts and the active cases of ``open_cases`` grouped by unit and person in
    one pass; ``deadlines``: as :func:`unit_roster` takes them."""
    roster = Roster(snap.shifts)
    shifts: dict[str, list[Shift]] = {}
    for s in snap.shifts:
        if s.unit_id in units:
            shifts.setdefault(s.unit_id, []).append(s)
    held = _holdings(open_cases, units)
    return {
        uid: unit_roster(
            snap, uid, at, cal, window, roster, shifts=shifts.get(uid, []), held=held[uid], deadlines=deadlines
        )
        for uid, (cal, window) in units.items()
    }


def spread(
    case_ids: Sequence[str], targets: Sequence[Suggestion], loads: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Round robin by load: each case (in the order given) to the target with the fewest cases
    so far (their active cases plus those given here; ties: the targets' order). case id →
    staff id; {} without targets."""
    if not targets:
        return {}
    load = {t.staff_id: (loads or {}).get(t.staff_id, t.active) for t in targets}
    rank = {t.staff_id: i for i, t in enumerate(targets)}
    out: dict[str, str] = {}
    for cid in case_ids:
        sid = min(load, key=lambda s: (load[s], rank[s]))
        out[cid] = sid
        load[sid] += 1
    return out
