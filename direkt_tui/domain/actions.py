"""Planning the coordinator's bulk actions (domain.md §9). Pure: what will happen to each
selected case, or why it is skipped, before anything is written.

- reassign to a profession queue of the case's unit, or to a person present in its unit;
  an unscheduled profession only with an explicit override (``force``);
- move a *waiting* case to another activated unit;
- send a phrase template to the patient of an open case;
- take over or hand back a unit's coordinator role (§10.1: held by "en vårdpersonal", so only
  a member of the clinical staff present in the unit now; handing it back leaves the unit
  with no coordinator, the critical finding ``no_coordinator``).

A case held by a person cannot be reassigned by anyone else unless the platform's capability
``reassign_person_held`` says so (§6.1): it is skipped and offered for the phone list instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .models import CLINICAL, Capabilities, Case, Snapshot
from .presence import Roster
from .roster import Suggestion


@dataclass(frozen=True)
class Target:
    """Where cases go: ``kind`` = role / person / unit / template."""

    kind: str
    value: str  # profession, staff id, unit id or template id
    unit_id: str | None = None  # the person's unit
    force: bool = False


@dataclass(frozen=True)
class PlanItem:
    case_id: str
    unit_id: str
    version: int
    will: str | None  # what will happen (a catalogue key), None when skipped
    skip: str | None  # why it is skipped (a catalogue key)
    phone_list: bool = False  # offer the phone list instead (person-held)
    target: str | None = None  # the person this case goes to when each case has its own (spread)

    @property
    def ok(self) -> bool:
        return self.skip is None


def _present(roster: Roster, unit_id: str, staff_id: str, at: datetime) -> bool:
    return roster.is_present(unit_id, staff_id, at)


def plan(cases: Sequence[Case], target: Target, snap: Snapshot, at: datetime) -> list[PlanItem]:
    """One item per case, in the order given."""
    roster = Roster(snap.shifts)
    caps: Capabilities = snap.capabilities
    units = {u.id: u for u in snap.units}
    out: list[PlanItem] = []
    for c in cases:

        def item(will: str | None = None, skip: str | None = None, phone: bool = False, c: Case = c) -> PlanItem:
            return PlanItem(c.id, c.unit_id, c.version, will, skip, phone)

        if not c.is_open:
            out.append(item(skip="plan.skip.closed"))
            continue
        if target.kind in ("role", "person"):
            owner = c.owner
            held = owner is not None and owner.type == "person"
            if (
                held
                and not caps.reassign_person_held
                and not (target.kind == "person" and owner is not None and owner.staff_id == target.value)
            ):
                out.append(item(skip="plan.skip.person_held", phone=True))
                continue
            if target.kind == "role":
                scheduled = target.value in roster.scheduled_professions(c.unit_id, at)
                if c.owner is not None and c.owner.type == "role" and c.owner.profession == target.value:
                    out.append(item(skip="plan.skip.already_there"))
                elif not scheduled and not target.force:
                    out.append(item(skip="plan.skip.not_scheduled"))
                else:
                    out.append(item(will="plan.will.role_forced" if not scheduled else "plan.will.role"))
            else:
                if target.unit_id is not None and target.unit_id != c.unit_id:
                    out.append(item(skip="plan.skip.other_unit"))
                elif not _present(roster, c.unit_id, target.value, at):
                    out.append(item(skip="plan.skip.not_present"))
                elif c.owner is not None and c.owner.type == "person" and c.owner.staff_id == target.value:
                    out.append(item(skip="plan.skip.already_there"))
                else:
                    out.append(item(will="plan.will.person"))
        elif target.kind == "unit":
            dest = units.get(target.value)
            if c.status != "waiting":
                out.append(item(skip="plan.skip.already_received"))
            elif dest is None or not dest.activated:
                out.append(item(skip="plan.skip.unit_not_activated"))
            elif c.unit_id == target.value:
                out.append(item(skip="plan.skip.same_unit"))
            else:
                out.append(item(will="plan.will.move"))
        elif target.kind == "template":
            out.append(item(will="plan.will.template"))
        else:
            raise ValueError(f"unknown target kind {target.kind!r}")
    return out


def plan_spread(
    cases: Sequence[Case], targets: Mapping[str, Sequence[Suggestion]], snap: Snapshot, at: datetime
) -> list[PlanItem]:
    """ "Spread over present nurses" (issue 13 §3): each case, in the order given, to the least
    loaded of its unit's ``targets`` (unit id → ranked present people, :func:`roster.rank_targets`)
    counting the cases given so far — round robin by load; a case that cannot be reassigned is
    skipped as :func:`plan` says, and a unit without a target skips its cases."""
    load: dict[tuple[str, str], int] = {}
    out: list[PlanItem] = []
    for c in cases:
        ts = list(targets.get(c.unit_id, ()))
        if not ts:
            out.append(PlanItem(c.id, c.unit_id, c.version, None, "plan.skip.no_nurse"))
            continue
        rank = {t.staff_id: i for i, t in enumerate(ts)}
        for t in ts:
            load.setdefault((c.unit_id, t.staff_id), t.active)
        sid = min(rank, key=lambda s: (load[(c.unit_id, s)], rank[s]))
        item = plan([c], Target("person", sid, c.unit_id), snap, at)[0]
        if item.ok:
            load[(c.unit_id, sid)] += 1
            item = replace(item, will="plan.will.spread", target=sid)
        out.append(item)
    return out


def where_scheduled(
    profession: str, unit_ids: Iterable[str], snap: Snapshot, at: datetime
) -> tuple[list[str], list[str]]:
    """The units (of ``unit_ids``, sorted) where ``profession`` is scheduled at ``at``, and
    those where it is not: a reassignment of cases from several units lands in the second only
    with the explicit override."""
    roster = Roster(snap.shifts)
    yes: list[str] = []
    no: list[str] = []
    for u in sorted(set(unit_ids)):
        (yes if profession in roster.scheduled_professions(u, at) else no).append(u)
    return yes, no


# -- the coordinator role (§10.1) -----------------------------------------------------------------
@dataclass(frozen=True)
class RolePlan:
    """What taking over (``new`` a staff id) or handing back (``new`` None) the coordinator
    role of ``unit_id`` will do. ``will``/``skip`` are catalogue keys as for :class:`PlanItem`;
    ``leaves_nobody``: the unit will have no coordinator (a critical finding)."""

    unit_id: str
    current: str | None  # who holds the role now (None: nobody)
    new: str | None
    will: str | None
    skip: str | None
    leaves_nobody: bool = False

    @property
    def ok(self) -> bool:
        return self.skip is None


def role_holder(unit_id: str, snap: Snapshot) -> str | None:
    """Who holds the coordinator role of ``unit_id`` (None: nobody)."""
    c = snap.coordinators.get(unit_id)
    return c.staff_id if c is not None and c.staff_id else None


def clinical_profession(unit_id: str, staff_id: str, snap: Snapshot, at: datetime) -> str | None:
    """The clinical profession ``staff_id`` is present on in ``unit_id`` at ``at`` (None: not
    present on a clinical shift, e.g. absent or only on an administrative one)."""
    roster = Roster(snap.shifts)
    profs = sorted(s.profession for s in roster.covering(unit_id, staff_id, at) if s.profession in CLINICAL)
    return profs[0] if profs else None


def coordinator_candidates(
    unit_id: str, snap: Snapshot, at: datetime, first: str | None = None
) -> list[tuple[str, str]]:
    """Who may take over the role: (staff id, profession) of each member of the clinical staff
    present in ``unit_id`` at ``at``, the one who holds it now left out; ``first`` (the user)
    first, then by name."""
    roster = Roster(snap.shifts)
    holder = role_holder(unit_id, snap)
    seen: dict[str, str] = {}
    for sh in roster.present_shifts(unit_id, at):
        if sh.profession not in CLINICAL or sh.staff_id == holder:
            continue
        prev = seen.get(sh.staff_id)
        seen[sh.staff_id] = sh.profession if prev is None else min(prev, sh.profession)

    def key(sid: str) -> tuple[bool, str, str]:
        person = snap.staff.get(sid)
        return (sid != first, (person.name if person else sid).casefold(), sid)

    return [(sid, seen[sid]) for sid in sorted(seen, key=key)]


def plan_coordinator(unit_id: str, staff_id: str | None, snap: Snapshot, at: datetime) -> RolePlan:
    """The role of ``unit_id`` to ``staff_id`` (None or empty: handed back)."""
    holder = role_holder(unit_id, snap)
    new = staff_id or None
    if new is None:
        if holder is None:
            return RolePlan(unit_id, holder, None, None, "plan.skip.role_nobody")
        return RolePlan(unit_id, holder, None, "plan.will.role_hand_back", None, leaves_nobody=True)
    if new == holder:
        return RolePlan(unit_id, holder, new, None, "plan.skip.role_holder")
    if clinical_profession(unit_id, new, snap, at) is None:
        present = Roster(snap.shifts).is_present(unit_id, new, at)
        return RolePlan(
            unit_id, holder, new, None, "plan.skip.role_not_clinical" if present else "plan.skip.not_present"
        )
    return RolePlan(unit_id, holder, new, "plan.will.role_take", None)


def hidden_by_filter(marked: Iterable[str], visible: Iterable[str]) -> int:
    """How many marked cases the current filter hides."""
    return len(set(marked) - set(visible))
