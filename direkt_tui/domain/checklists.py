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

``CHECKLIST_STRINGS`` holds the new catalogue entries of this feature (checklists, fallback
routine, shift report, phone list) in the ``(sv, en)`` form of ``i18n.CATALOGUE``; :func:`tr`
looks a key up in the catalogue first and then here, so the code works before and after the
entries are merged into ``i18n.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import i18n
from .calendar import UnitCalendar
from .models import Snapshot
from .rules import SEVERITY_RANK, Evaluation

KINDS: tuple[str, ...] = ("start", "during", "end")

CHECKLIST_STRINGS: dict[str, tuple[str, str]] = {
    # -- checklists -------------------------------------------------------------------------
    "checklist.start": ("Skiftstart", "Shift start"),
    "checklist.during": ("Under dagen", "During the day"),
    "checklist.end": ("Skiftslut", "Shift end"),
    "checklist.done": ("klart", "done"),
    "checklist.cases": ("{n} ärende", "{n} case"),
    "checklist.cases.n": ("{n} ärenden", "{n} cases"),
    "checklist.units": ("{n} enhet", "{n} unit"),
    "checklist.units.n": ("{n} enheter", "{n} units"),
    "checklist.signed": ("Signerad av {name} {time}", "Signed by {name} at {time}"),
    "checklist.item.data_fresh": (
        "Uppgifterna är aktuella (synkroniseringen fungerar) – annars reservrutinen (§12)",
        "The data is current (the sync works) – otherwise the fallback routine (§12)",
    ),
    "checklist.item.coordinator": (
        "Det framgår vem som är övergripande ansvarig just nu (§10.1)",
        "It is clear who the coordinator is right now (§10.1)",
    ),
    "checklist.item.coordinator_handover": (
        "Rollen övergripande ansvarig är överlämnad till nästa ansvarig (§10.1)",
        "The coordinator role is handed over to the next coordinator (§10.1)",
    ),
    "checklist.item.staffing": (
        "Vårdpersonal är schemalagd under hela öppettiden (§9.2)",
        "Clinicians are scheduled for all of the opening hours (§9.2)",
    ),
    "checklist.item.owners_present": (
        "Samtliga aktiva ärenden har en ägare som är närvarande i verksamheten (§10.1)",
        "Every active case has an owner who is present in the unit (§10.1)",
    ),
    "checklist.item.shift_end_handover": (
        "Pågående ärenden hos personal som slutar är överlagda till yrkesroll (§6.1)",
        "Ongoing cases of staff whose shift ends are handed over to a profession (§6.1)",
    ),
    "checklist.item.long_absence": (
        "Ärenden hos personal med längre frånvaro: kontakta Stöd och service för att avsluta (§10.1)",
        "Cases held by staff on a long absence: contact Stöd och service to close them (§10.1)",
    ),
    "checklist.item.date_filter": (
        "Filtrera på datum: öppna ärenden från tidigare dagar och inkomna utanför öppettid (§10.1)",
        "Filter by date: open cases from earlier days and arrivals outside opening hours (§10.1)",
    ),
    "checklist.item.load": (
        "Belastningen är bevakad; bemanningen justerad och patienterna informerade via frasmall (§9.1, §10.1)",
        "The load is watched; staffing adjusted and patients told via template (§9.1, §10.1)",
    ),
    "checklist.item.unscheduled_roles": (
        "Inga patienter är överlämnade till en yrkesgrupp som inte är schemalagd (§10.1)",
        "No patients are handed to a profession that is not scheduled (§10.1)",
    ),
    "checklist.item.handovers": (
        "Ärenden överlämnade till annan yrkesgrupp eller verksamhet handläggs (§10.1, §10.2)",
        "Cases handed to another profession or unit are being handled (§10.1, §10.2)",
    ),
    "checklist.item.urgent": (
        "Inga brådskande ärenden är lämnade utan åtgärd (§10.1)",
        "No urgent case is left without action (§10.1)",
    ),
    "checklist.item.ongoing_first": (
        "Pågående ärenden tas om hand före nyinkomna med lägre prioritet (§10.1)",
        "Ongoing cases are handled before new ones of lower priority (§10.1)",
    ),
    "checklist.item.urgent_before_close": (
        "Ärenden med prioritet 1–2 avslutas före stängning, vid tidsbrist per telefon (§6.1)",
        "Priority 1–2 cases are closed before closing time, by phone if time is short (§6.1)",
    ),
    "checklist.item.next_day_notice": (
        "Patienter vars ärenden hanteras nästa vardag har fått frasmallen (§6.1)",
        "Patients whose cases are handled next working day have had the template (§6.1)",
    ),
    "checklist.item.closable": (
        "Ärenden utan svar som uppfyller villkoren kan avslutas med frasmall (§6.1)",
        "Unanswered cases that meet the conditions may be closed with a template (§6.1)",
    ),
    "checklist.item.deviations": (
        "För tidigt avslutade ärenden är rapporterade som avvikelse i Synergi (§14)",
        "Cases closed too early are reported as deviations in Synergi (§14)",
    ),
    # -- fallback routine (reservrutin) --------------------------------------------------------
    "fallback.who.stod_och_service": ("Stöd och service", "Stöd och service"),
    "fallback.who.inera": ("Inera (telefon)", "Inera (phone)"),
    "fallback.reason.weekday_day": ("vardag kl 8–17 (§12)", "weekday 08–17 (§12)"),
    "fallback.reason.weekday_evening": ("vardagskväll kl 17–22 (§12)", "weekday evening 17–22 (§12)"),
    "fallback.reason.weekend": ("helg (§12)", "weekend (§12)"),
    "fallback.reason.holiday": ("helgdag (§12)", "public holiday (§12)"),
    "fallback.reason.silent": (
        "riktlinjen anger inte vem som kontaktas kl 22–08 – Inera visas",
        "the guideline does not say whom to call 22–08 – Inera is shown",
    ),
    "fallback.silent_note": (
        "Riktlinjen (§12) säger inget om den här tiden. Inera visas; följ lokal rutin.",
        "The guideline (§12) is silent about this hour. Inera is shown; follow the local routine.",
    ),
    "fallback.no_number": ("nummer saknas i konfigurationen", "number missing in the configuration"),
    "fallback.call_now": ("Kontakta nu", "Call now"),
    "fallback.protected": ("hämta kontaktuppgift i Cosmic", "get the contact details from Cosmic"),
    "fallback.protected_patient": ("Skyddad identitet", "Protected identity"),
    "fallback.age.unknown": ("okänd ålder", "unknown age"),
    "fallback.age.min": ("{m} min", "{m} min"),
    "fallback.age.h": ("{h} h {m:02d} min", "{h} h {m:02d} min"),
    "fallback.age.d": ("{d} d {h} h", "{d} d {h} h"),
    "fallback.data.none": (
        "Ingen lyckad synkronisering – listan kan sakna ärenden.",
        "No successful sync – the list may lack cases.",
    ),
    "fallback.data.as_of": (
        "Uppgifterna är från {time} ({age} gamla).",
        "The data is from {time} ({age} old).",
    ),
    "fallback.called": ("ringd", "called"),
    # -- the phone list (direkt-tui calllist) --------------------------------------------------
    "calllist.title": ("Ringlista – reservrutin 1177 direkt", "Phone list – fallback routine 1177 direkt"),
    "calllist.printed": ("Utskriven {time}", "Printed {time}"),
    "calllist.units": ("Enheter", "Units"),
    "calllist.order": (
        "Mest brådskande först: öppna ärenden med prioritet 1–2 först, sedan arbetslistans ordning.",
        "Most urgent first: open priority 1–2 cases first, then the work-list order.",
    ),
    "calllist.empty": ("Inga öppna ärenden.", "No open cases."),
    "calllist.col.rank": ("Nr", "No"),
    "calllist.col.called": ("Ringd", "Called"),
    "calllist.col.called_at": ("Ringd kl", "Called at"),
    "calllist.col.called_by": ("Ringd av", "Called by"),
    "calllist.col.note": ("Anteckning", "Note"),
    "calllist.col.prio": ("Prio", "Prio"),
    "calllist.col.case": ("Ärende", "Case"),
    "calllist.col.unit": ("Enhet", "Unit"),
    "calllist.col.status": ("Status", "Status"),
    "calllist.col.owner": ("Ägare", "Owner"),
    "calllist.col.patient": ("Patient", "Patient"),
    "calllist.col.pnr": ("Personnummer", "Personal number"),
    "calllist.col.phone": ("Telefon", "Phone"),
    "calllist.col.reason": ("Sökorsak", "Reason"),
    "calllist.col.findings": ("Fynd", "Findings"),
    "calllist.col.arrived": ("Inkom", "Arrived"),
    # -- the shift report ------------------------------------------------------------------------
    "shift.title": ("Skiftrapport 1177 direkt", "Shift report 1177 direkt"),
    "shift.period": ("Period: {since} – {until}", "Period: {since} – {until}"),
    "shift.for_next": ("Till nästa övergripande ansvarig.", "For the next coordinator."),
    "shift.load": ("Belastning under passet", "Load during the shift"),
    "shift.load.none": ("Inga mätpunkter under perioden.", "No samples in the period."),
    "shift.load.col.unit": ("Enhet", "Unit"),
    "shift.load.col.samples": ("Mätpunkter", "Samples"),
    "shift.load.col.level": ("Nivå lägst–högst", "Level min–max"),
    "shift.load.col.last": ("Nivå senast", "Level last"),
    "shift.load.col.waiting": ("Väntande lägst/högst/senast", "Waiting min/max/last"),
    "shift.load.col.ratio": ("Högsta kvot", "Highest ratio"),
    "shift.load.col.peak": ("Högst kl", "Peak at"),
    "shift.findings": ("Fynd under passet", "Findings during the shift"),
    "shift.findings.summary": ("{opened} nya, {resolved} åtgärdade eller försvunna.",
                               "{opened} new, {resolved} resolved or gone."),
    "shift.findings.none": ("Inga fynd öppnades eller löstes under perioden.",
                            "No findings were opened or resolved in the period."),
    "shift.findings.col.opened": ("Öppnat", "Opened"),
    "shift.findings.col.resolved": ("Löst", "Resolved"),
    "shift.findings.open": ("öppet", "open"),
    "shift.actions": ("Åtgärder", "Actions"),
    "shift.actions.none": ("Inga åtgärder registrerade under perioden.", "No actions recorded in the period."),
    "shift.actions.col.time": ("Tid", "Time"),
    "shift.actions.col.actor": ("Vem", "Who"),
    "shift.actions.col.action": ("Åtgärd", "Action"),
    "shift.actions.col.subject": ("Avser", "Subject"),
    "shift.actions.col.outcome": ("Utfall", "Outcome"),
    "shift.checklists": ("Checklistor", "Checklists"),
    "shift.checklists.none": ("Inga checklistor signerade under perioden.", "No checklists signed in the period."),
    "shift.checklists.col.list": ("Checklista", "Checklist"),
    "shift.checklists.col.by": ("Signerad av", "Signed by"),
    "shift.checklists.col.ack": ("Kvitterat", "Acknowledged"),
    "shift.checklists.col.outstanding": ("Kvarstår", "Outstanding"),
    "shift.calls": ("Uppringda patienter (reservrutin)", "Patients called (fallback routine)"),
    "shift.open_now": ("Kvar att göra – läget nu", "Still open – the state now"),
    "audit.action.assign": ("Lagt över ärende", "Reassigned"),
    "audit.action.reassign": ("Lagt över ärende", "Reassigned"),
    "audit.action.move": ("Flyttat ärende", "Moved"),
    "audit.action.message": ("Skickat frasmall", "Sent template"),
    "audit.action.send_template": ("Skickat frasmall", "Sent template"),
    "audit.action.coordinator": ("Övergripande ansvarig-rollen", "Coordinator role"),
    "audit.action.coordinator_role": ("Övergripande ansvarig-rollen", "Coordinator role"),
    "audit.action.reveal_pnr": ("Visat personnummer", "Revealed personal number"),
    "audit.action.outcome": ("Utfall", "Outcome"),
    "audit.action.checklist_sign_off": ("Signerat checklista", "Signed checklist"),
    "audit.action.call_mark": ("Ringt patient", "Called patient"),
    "audit.action.call_unmark": ("Tagit bort ringd-markering", "Removed called mark"),
}


def tr(key: str, lang: str = "sv", **kwargs: Any) -> str:
    """``i18n.t`` for this feature's keys: the catalogue first, then ``CHECKLIST_STRINGS``."""
    if key in i18n.CATALOGUE:
        return i18n.t(key, lang, **kwargs)
    entry = CHECKLIST_STRINGS.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    return text.format(**kwargs) if kwargs else text


# -- the checklists as data -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    rules: tuple[str, ...]  # the rules whose findings show the item is not done
    date_filter: bool = False  # also: open cases from earlier days (§10.1 "filtrera på datum")
    section: str = "10.1"  # the guideline section

    @property
    def text_key(self) -> str:
        return f"checklist.item.{self.id}"

    def text(self, lang: str = "sv") -> str:
        return tr(self.text_key, lang)


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
    return tr(f"checklist.{kind}", lang)


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
            return tr("checklist.done", lang)
        parts = []
        if self.case_ids:
            n = len(self.case_ids)
            parts.append(tr("checklist.cases" if n == 1 else "checklist.cases.n", lang, n=n))
        if self.unit_ids:
            n = len(self.unit_ids)
            parts.append(tr("checklist.units" if n == 1 else "checklist.units.n", lang, n=n))
        return ", ".join(parts)


def earlier_day_case_ids(evaluation: Evaluation, at: datetime) -> list[str]:
    """Open cases that arrived before the start of the unit's local date of ``at``, oldest first."""
    starts: dict[str, datetime] = {}
    for uid, st in evaluation.units.items():
        starts[uid] = UnitCalendar(st.unit).start_of_day(at)
    old = [c for c in evaluation.open_cases if c.unit_id in starts and c.created_at < starts[c.unit_id]]
    old.sort(key=lambda c: (c.created_at, c.id))
    return [c.id for c in old]


def evaluate_checklist(kind: str, evaluation: Evaluation, snapshot: Snapshot | None = None,
                       at: datetime | None = None) -> list[ItemStatus]:
    """The status of every item of checklist ``kind`` for the evaluated units.

    An item is done when no finding of its rules exists (and, for the date filter, no open
    case arrived on an earlier day). Case ids follow the work list; the date filter lists the
    earlier-day cases oldest first, then the after-hours arrivals of today. ``snapshot`` is
    accepted for symmetry with the other calls (the evaluation carries all that is needed);
    ``at`` defaults to ``evaluation.at``."""
    items = checklist(kind)
    at = at or evaluation.at
    position = {c.id: i for i, c in enumerate(evaluation.open_cases)}
    far = len(position)
    earlier: list[str] | None = None
    out: list[ItemStatus] = []
    for item in items:
        rules = set(item.rules)
        fs = [f for f in evaluation.findings if f.rule in rules]
        case_ids = sorted({f.case_id for f in fs if f.case_id is not None},
                          key=lambda cid: (position.get(cid, far), cid))
        unit_ids = sorted({f.unit_id for f in fs if f.case_id is None})
        if item.date_filter:
            if earlier is None:
                earlier = earlier_day_case_ids(evaluation, at)
            seen = set(earlier)
            case_ids = earlier + [cid for cid in case_ids if cid not in seen]
        worst = min((f.severity for f in fs), key=SEVERITY_RANK.__getitem__, default=None)
        out.append(ItemStatus(item, tuple(case_ids), tuple(unit_ids), worst))
    return out
