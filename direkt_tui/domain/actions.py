"""Planning the coordinator's bulk actions (domain.md §9). Pure: what will happen to each
selected case, or why it is skipped, before anything is written.

- reassign to a profession queue of the case's unit, or to a person present in its unit;
  an unscheduled profession only with an explicit override (``force``);
- move a *waiting* case to another activated unit;
- send a phrase template to the patient of an open case.

A case held by a person cannot be reassigned by anyone else unless the platform's capability
``reassign_person_held`` says so (§6.1): it is skipped and offered for the phone list instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .models import Capabilities, Case, Snapshot
from .presence import Roster


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


def hidden_by_filter(marked: Iterable[str], visible: Iterable[str]) -> int:
    """How many marked cases the current filter hides."""
    return len(set(marked) - set(visible))
