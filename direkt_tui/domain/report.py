"""The report document (report.md) and its Swedish Markdown form. Pure.

The JSON document never carries patient data (no names, personal identity numbers or phone
numbers); the Markdown may show a masked number, never for protected identity. Platform text
(unit and staff names, in messages too) is data: ``text.visible`` in the JSON (no control
characters in a decoded string), ``text.markdown`` in the Markdown (no Markdown syntax).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import i18n
from .calendar import UnitCalendar
from .deadlines import NO_CLOCK
from .models import Case, Shift, Snapshot, Unit, mask_personnummer
from .params import Parameters
from .presence import Roster
from .roster import coverage_gaps
from .rules import SEVERITIES, SEVERITY_RANK, Evaluation, Finding
from .text import markdown as md
from .text import markdown_masked, visible
from .timeutil import to_local_text

SCHEMA = "direkt-tui/report/1"
DEFAULT_TZ = "Europe/Stockholm"


def build_report(ev: Evaluation, snap: Snapshot, default_params: Parameters) -> dict[str, Any]:
    doc = report_head(ev, snap, default_params)
    for key, items in report_items(ev).items():
        doc[key] = list(items)
    return doc


def report_items(ev: Evaluation) -> dict[str, Iterator[dict[str, Any]]]:
    """The document's long lists, ``cases`` and ``findings`` in document order, made one item at
    a time (a writer can serialize each and let it go: at 100,000 open cases the lists as dicts
    are most of a report's memory)."""
    return {"cases": _cases_json(ev), "findings": (_finding_json(f) for f in ev.findings)}


def report_head(ev: Evaluation, snap: Snapshot, default_params: Parameters) -> dict[str, Any]:
    """The document with ``cases`` and ``findings`` empty (see :func:`report_items`)."""
    units = list(ev.units.values())
    tz = units[0].unit.timezone if units else DEFAULT_TZ
    unit_docs = []
    roster = Roster(snap.shifts)
    shifts_by_unit: dict[str, list[Shift]] = {}
    for sh in snap.shifts:
        shifts_by_unit.setdefault(sh.unit_id, []).append(sh)
    for st in units:
        doc: dict[str, Any] = {
            "id": st.unit.id,
            "name": visible(st.unit.name),
            "open_now": st.open_now,
            "closes_at": to_local_text(st.closes_at, st.unit.timezone),
            "opens_at": to_local_text(st.opens_at, st.unit.timezone),
            "coordinator": {"staff_id": st.coordinator_id, "present": st.coordinator_present},
            "load": st.load.to_json(),
            **_roster_json(st.unit, snap, ev.at, roster, shifts_by_unit.get(st.unit.id, [])),
        }
        if st.parameters != default_params:
            doc["parameters"] = st.parameters.to_json()
        unit_docs.append(doc)
    return {
        "schema": SCHEMA,
        "as_of": to_local_text(ev.at, tz),
        "data_as_of": to_local_text(snap.data_as_of, tz),
        "clock_skew_seconds": _skew(snap.clock_skew_seconds),
        "stale": ev.stale,
        "parameters": default_params.to_json(),
        "units": unit_docs,
        "cases": [],
        "findings": [],
    }


def _roster_json(unit: Unit, snap: Snapshot, at: datetime, roster: Roster, shifts: list[Shift]) -> dict[str, Any]:
    """Gaps ahead (issue 13 §2): today's remaining opening hours with no clinician scheduled
    (``coverage_gaps``), and when the coordinator's presence ends (``coordinator_until``; None: no
    coordinator, or not present)."""
    tz = unit.timezone
    cal = UnitCalendar(unit)
    coord = snap.coordinators.get(unit.id)
    until = roster.presence_end(unit.id, coord.staff_id, at) if coord is not None and coord.staff_id else None
    return {
        "coverage_gaps": [
            {"start": to_local_text(a, tz), "end": to_local_text(b, tz)}
            for a, b in coverage_gaps(cal, shifts, unit.id, at)
        ],
        "coordinator_until": to_local_text(until, tz),
    }


def _cases_json(ev: Evaluation) -> Iterator[dict[str, Any]]:
    """The open cases in work-list order (:func:`_case_json`), each unit's zone looked up once."""
    zones = {uid: ZoneInfo(st.unit.timezone) for uid, st in ev.units.items()}
    return (_case_json(ev, c, zones[c.unit_id]) for c in ev.open_cases)


def _case_json(ev: Evaluation, case: Case, tz: ZoneInfo | str | None = None) -> dict[str, Any]:
    """An open case for the document (report.md ``cases``): its handle, the highest severity of its
    findings and its deadline (domain.md §4b), instants in its unit's offset (``tz``: its zone,
    when the caller has it). No patient data."""
    findings = ev.case_findings.get(case.id)
    severity = None
    if findings:
        rank = len(SEVERITY_RANK)
        for f in findings:  # the most severe, the first of equals (``min`` by rank)
            r = SEVERITY_RANK[f.severity]
            if r < rank:
                severity, rank = f.severity, r
    deadline = ev.deadlines.get(case.id, NO_CLOCK)
    return {
        "id": case.id,
        "unit_id": case.unit_id,
        "kind": case.kind,
        "priority": case.priority,
        "status": case.status,
        "severity": severity,
        **deadline.to_json(tz if tz is not None else ev.units[case.unit_id].unit.timezone),
    }


def _finding_json(f: Finding) -> dict[str, Any]:
    """A finding for the document; its message names staff and units (platform text): visible."""
    doc = f.to_json()
    doc["message"] = visible(doc["message"])
    return doc


def _skew(seconds: float | None) -> int | None:
    """The platform's clock minus ours at the newest sync, in whole seconds (None: unknown)."""
    return None if seconds is None else round(seconds)


def _local_hm(t: datetime | None, tz: str) -> str:
    return to_local_text(t, tz)[11:16] if t else "–"  # type: ignore[index]


def render_markdown(ev: Evaluation, snap: Snapshot, lang: str = "sv") -> str:
    """A human-readable shift report (Swedish by default) with the same content as the JSON."""
    T = i18n.translator(lang)
    sv = lang != "en"
    units = list(ev.units.values())
    tz = units[0].unit.timezone if units else DEFAULT_TZ
    staff = snap.staff
    cases = {c.id: c for c in snap.cases}
    out: list[str] = []
    as_of = to_local_text(ev.at, tz) or ""
    out.append(f"# {'Lägesrapport 1177 direkt' if sv else 'Status report 1177 direkt'} – {as_of[:10]} {as_of[11:16]}")
    out.append("")
    data = to_local_text(snap.data_as_of, tz)
    if data is None:
        out.append(
            "> **"
            + (
                "Ingen synkronisering har lyckats – uppgifterna kan vara inaktuella."
                if sv
                else "No successful sync – the data may be out of date."
            )
            + "**"
        )
    elif ev.stale:
        out.append(
            "> **"
            + (
                f"Data från {data[11:16]} ({data[:10]}) – äldre än gränsen. Följ reservrutinen."
                if sv
                else f"Data from {data[:16]} is stale. Follow the fallback routine."
            )
            + "**"
        )
    else:
        out.append(("Data från plattformen: " if sv else "Platform data as of: ") + f"{data[:10]} {data[11:16]}")
    out.append("")
    counts = {s: 0 for s in SEVERITIES}
    for f in ev.findings:
        counts[f.severity] += 1
    out.append(
        ("**Fynd:** " if sv else "**Findings:** ") + ", ".join(f"{counts[s]} {T('sev.' + s)}" for s in SEVERITIES)
    )
    out.append("")
    for st in units:
        u = st.unit
        out.append(f"## {md(u.name)} ({md(u.id)})")
        out.append("")
        if st.open_now:
            out.append(("Öppet, stänger " if sv else "Open, closes ") + _local_hm(st.closes_at, u.timezone))
        else:
            nxt = to_local_text(st.opens_at, u.timezone)
            out.append(
                ("Stängt" if sv else "Closed")
                + ((", öppnar " if sv else ", opens ") + f"{nxt[:10]} {nxt[11:16]}" if nxt else "")
            )
        coord = staff.get(st.coordinator_id) if st.coordinator_id else None
        if st.coordinator_id:
            name = md(coord.name if coord else st.coordinator_id)
            state = (
                ("i tjänst" if sv else "present")
                if st.coordinator_present
                else ("EJ i tjänst" if sv else "NOT present")
            )
            out.append(("Övergripande ansvarig: " if sv else "Coordinator: ") + f"{name} ({state})")
        else:
            out.append("Övergripande ansvarig: **ingen**" if sv else "Coordinator: **none**")
        ld = st.load
        level = T(f"level.{ld.level}")
        ratio = f"{ld.ratio:.2f}".replace(".", "," if sv else ".")
        out.append(("Belastning: " if sv else "Load: ") + f"**{level}** ({ratio})")
        out.append("")
        head = (
            "| Väntar | P1 | P2 | P3 | P4 | P5 | admin | I kö (yrkesroll) | Pågår (person) | Vårdpersonal |"
            if sv
            else "| Waiting | P1 | P2 | P3 | P4 | P5 | admin | Queued (role) | In progress | Clinicians |"
        )
        out.append(head)
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        w = ld.waiting
        clin = ", ".join(f"{i18n.profession_label(p, lang)} {n}" for p, n in ld.clinicians_present.items()) or "0"
        out.append(
            f"| {sum(w.values())} | {w['1']} | {w['2']} | {w['3']} | {w['4']} | {w['5']} | {w['admin']} | "
            f"{ld.queued} | {ld.in_progress} | {clin} |"
        )
        out.append("")
        unit_f = [f for f in ev.findings if f.unit_id == u.id]
        if not unit_f:
            out.append("Inga fynd." if sv else "No findings.")
            out.append("")
            continue
        out.append(
            "| Allvar | Regel | Ärende | Prio | Patient | Åtgärd | Meddelande |"
            if sv
            else "| Severity | Rule | Case | Prio | Patient | Action | Message |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for f in unit_f:
            c = cases.get(f.case_id) if f.case_id else None
            if c is None:
                patient = "–"
            elif c.patient.protected_identity:
                patient = "Skyddad identitet – kontrollera i Cosmic" if sv else "Protected identity – check Cosmic"
            else:
                patient = markdown_masked(mask_personnummer(c.patient.personnummer))
            prio = i18n.priority_label(f.priority, lang) if f.case_id else "–"
            out.append(
                f"| {T('sev.' + f.severity)} | {T('rule.' + f.rule)} | {md(f.case_id or '–')} | {prio} | "
                f"{patient} | {T('action.' + f.action)} | {md(f.message)} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"
