"""The coordinator's shift checklists as data (guideline §10.1, domain.md §6). Pure.

§10.1: the coordinator checks "vid dagens start, under och inför avslut av dagen" that every
active case has a present owner, filters by date so nothing is forgotten, watches the load,
makes sure nothing sits with an unscheduled profession, that handovers get handled, that no
urgent case is left without action, that ongoing cases go before new lower-priority ones, and
that a long absence is taken to Stöd och service. §6.1 adds what the end of the day needs
(P1–2 closed before closing, the next-day template, cases handed to a profession at shift end).

Three checklists — ``start`` (Skiftstart), ``during`` (Under dagen), ``end`` (Skiftslut) — each
a tuple of :class:`ChecklistItem`: an id, its catalogue keys, and the rules whose findings show
that the item is not done. :func:`evaluate_checklist` turns an evaluation into
:class:`ItemStatus` rows: done, or N cases / N units, with the case ids to jump to.
The texts live in the one catalogue, ``direkt_tui/i18n.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .. import i18n
from .calendar import UnitCalendar
from .models import Snapshot
from .rules import SEVERITY_RANK, Evaluation

KINDS: tuple[str, ...] = ("start", "during", "end")


# -- the checklists as data -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    rules: tuple[str, ...]  # the rules whose findings show the item is not done
    date_filter: bool = False  # also: open cases from earlier days (§10.1 "filtrera på datum")
    section: str = "10.1"  # the guideline section
    cosmic: bool = False  # §11: today's cases to document in Cosmic not yet marked as documented

    @property
    def text_key(self) -> str:
        return f"checklist.item.{self.id}"

    def text(self, lang: str = "sv") -> str:
        return i18n.t(self.text_key, lang)


_DATA = ChecklistItem("data_fresh", ("stale_data",), section="12")
_COORD = ChecklistItem("coordinator", ("no_coordinator",))
_STAFF = ChecklistItem("staffing", ("no_clinician_present",), section="9.2")
_OWNERS = ChecklistItem("owners_present", ("absent_owner", "owner_shift_ending"))
_LONG = ChecklistItem("long_absence", ("long_absence",))
_DATE = ChecklistItem("date_filter", ("after_hours_arrival",), date_filter=True)
_LOAD = ChecklistItem("load", ("high_load",), section="9.1")
_ROLES = ChecklistItem("unscheduled_roles", ("unscheduled_profession",))
_HANDOVERS = ChecklistItem("handovers", ("stale_role_handover", "unit_handover_unaccepted"), section="10.2")
_URGENT = ChecklistItem("urgent", ("overdue_waiting", "urgent_open_near_close"))
_ONGOING = ChecklistItem("ongoing_first", ("awaiting_reply",))

CHECKLISTS: dict[str, tuple[ChecklistItem, ...]] = {
    # at the start of the day: is everything owned and staffed, and what came in overnight
    "start": (
        _DATA,
        _COORD,
        _STAFF,
        ChecklistItem("owners_present", ("absent_owner",)),
        _LONG,
        _DATE,
        _ROLES,
        _URGENT,
        _LOAD,
    ),
    # during the day: every duty of §10.1
    "during": (
        _DATA,
        _COORD,
        _STAFF,
        _OWNERS,
        _LONG,
        _LOAD,
        _ROLES,
        _HANDOVERS,
        _URGENT,
        _ONGOING,
        _DATE,
    ),
    # before the end of the day: §10.1 plus what §6.1 asks before closing
    "end": (
        _DATA,
        ChecklistItem("coordinator_handover", ("no_coordinator",)),
        ChecklistItem("owners_present", ("absent_owner",)),
        ChecklistItem("shift_end_handover", ("owner_shift_ending",), section="6.1"),
        _LONG,
        _ROLES,
        _HANDOVERS,
        ChecklistItem("urgent_before_close", ("urgent_open_near_close", "overdue_waiting"), section="6.1"),
        _ONGOING,
        ChecklistItem("next_day_notice", ("next_day_notice_due",), section="6.1"),
        ChecklistItem("closable", ("closable",), section="6.1"),
        ChecklistItem("deviations", ("premature_close",), section="14"),
        ChecklistItem("cosmic", (), section="11", cosmic=True),
        _DATE,
    ),
}


def checklist(kind: str) -> tuple[ChecklistItem, ...]:
    try:
        return CHECKLISTS[kind]
    except KeyError:
        raise ValueError(f"unknown checklist {kind!r} (one of {', '.join(KINDS)})") from None


def checklist_title(kind: str, lang: str = "sv") -> str:
    checklist(kind)
    return i18n.t(f"checklist.{kind}", lang)


@dataclass(frozen=True, slots=True)
class ItemStatus:
    item: ChecklistItem
    case_ids: tuple[str, ...]  # to jump to: work-list order (date filter: oldest first)
    unit_ids: tuple[str, ...]
    worst_severity: str | None  # of the findings behind the item; None when none

    @property
    def done(self) -> bool:
        return not self.case_ids and not self.unit_ids

    @property
    def case_count(self) -> int:
        return len(self.case_ids)

    @property
    def unit_count(self) -> int:
        return len(self.unit_ids)

    def summary(self, lang: str = "sv") -> str:
        """``klart`` / ``3 ärenden`` / ``1 enhet`` / ``2 ärenden, 1 enhet``."""
        if self.done:
            return i18n.t("checklist.done", lang)
        parts = []
        if self.case_ids:
            n = len(self.case_ids)
            parts.append(i18n.t("checklist.cases" if n == 1 else "checklist.cases.n", lang, n=n))
        if self.unit_ids:
            n = len(self.unit_ids)
            parts.append(i18n.t("checklist.units" if n == 1 else "checklist.units.n", lang, n=n))
        return ", ".join(parts)


def earlier_day_case_ids(evaluation: Evaluation, at: datetime) -> list[str]:
    """Open cases that arrived before the start of the unit's local date of ``at``, oldest first."""
    starts: dict[str, datetime] = {}
    for uid, st in evaluation.units.items():
        starts[uid] = UnitCalendar(st.unit).start_of_day(at)
    old = [c for c in evaluation.open_cases if c.unit_id in starts and c.created_at < starts[c.unit_id]]
    old.sort(key=lambda c: (c.created_at, c.id))
    return [c.id for c in old]


def evaluate_checklist(
    kind: str,
    evaluation: Evaluation,
    snapshot: Snapshot | None = None,
    at: datetime | None = None,
    cosmic_open: Sequence[str] = (),
) -> list[ItemStatus]:
    """The status of every item of checklist ``kind`` for the evaluated units.

    An item is done when no finding of its rules exists (and, for the date filter, no open
    case arrived on an earlier day). Case ids follow the work list; the date filter lists the
    earlier-day cases oldest first, then the after-hours arrivals of today. ``snapshot`` is
    accepted for symmetry with the other calls (the evaluation carries all that is needed);
    ``at`` defaults to ``evaluation.at``. ``cosmic_open``: today's cases §11 asks to document
    in Cosmic that are not yet marked as documented (read from the store by the caller); the
    Cosmic item is done when there are none."""
    items = checklist(kind)
    at = at or evaluation.at
    position = {c.id: i for i, c in enumerate(evaluation.open_cases)}
    far = len(position)
    earlier: list[str] | None = None
    out: list[ItemStatus] = []
    for item in items:
        rules = set(item.rules)
        fs = [f for f in evaluation.findings if f.rule in rules]
        case_ids = sorted(
            {f.case_id for f in fs if f.case_id is not None}, key=lambda cid: (position.get(cid, far), cid)
        )
        unit_ids = sorted({f.unit_id for f in fs if f.case_id is None})
        if item.cosmic:
            case_ids = list(dict.fromkeys(cosmic_open))
        if item.date_filter:
            if earlier is None:
                earlier = earlier_day_case_ids(evaluation, at)
            seen = set(earlier)
            case_ids = earlier + [cid for cid in case_ids if cid not in seen]
        worst = min((f.severity for f in fs), key=SEVERITY_RANK.__getitem__, default=None)
        out.append(ItemStatus(item, tuple(case_ids), tuple(unit_ids), worst))
    return out
