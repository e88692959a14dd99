"""A ready draft of a deviation report for Synergi (guideline §14), for one case.

§14: register the deviation with *Gemensamma IT-stöd 1177 direkt* under *Involverade system*;
when it concerns a patient case, attach the case's URL under *Länkar* with the link name
*Patientärende*. The draft adds what happened and when, from the case and its findings —
never the patient's name, number or phone, nor the patient's own words (the reason): the
draft is pasted into another system. Synergi's field names and values stay Swedish in both
languages (they are what is typed there); the rest follows the app's language.

Read side only: :func:`deviation_draft` builds the text, :func:`save_deviation` writes it
beside the shift reports.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import i18n
from ..domain.models import Case
from ..domain.rules import SEVERITY_RANK, Finding
from ..domain.text import visible

INVOLVED_SYSTEM = "Gemensamma IT-stöd 1177 direkt"
LINK_NAME = "Patientärende"


def needs_deviation(findings: Sequence[Finding]) -> bool:
    """Does the case call for a deviation report by itself (a ``premature_close`` finding)?
    Any other case gets a draft on request."""
    return any(f.rule == "premature_close" for f in findings)


def _local(t: datetime | None, zone: ZoneInfo) -> str:
    return t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "–"


def deviation_draft(
    case: Case,
    findings: Sequence[Finding],
    lang: str = "sv",
    *,
    unit_names: Mapping[str, str] | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """The draft as plain text, ready to paste into Synergi."""
    T = i18n.translator(lang)
    zone = zone or ZoneInfo("Europe/Stockholm")
    units = dict(unit_names or {})
    unit = visible(units.get(case.unit_id, case.unit_id))

    def when(t: datetime | None) -> str:
        return _local(t, zone)

    lines = [
        T("deviation.heading", id=visible(case.id)),
        "",
        f"Involverade system: {INVOLVED_SYSTEM}",
        "Länkar:",
        f"  Länknamn: {LINK_NAME}",
        f"  Länkadress (URL): {visible(case.url) if case.url else T('deviation.no_url')}",
        "",
        T("deviation.what"),
        "  "
        + T(
            "deviation.case",
            id=visible(case.id),
            kind=T(f"detail.kind.{case.kind}"),
            prio=i18n.priority_label(case.priority, lang),
            unit=unit,
            at=when(case.created_at),
        ),
    ]
    if case.closed_at:
        reason = T(f"deviation.close.{case.close_reason}") if case.close_reason else "–"
        lines.append("  " + T("deviation.closed", at=when(case.closed_at), reason=reason))
    else:
        lines.append("  " + T("deviation.open", status=T(f"status.{case.status}")))
    shown = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
    if shown:
        lines += ["", T("deviation.findings")]
        for f in shown:
            lines.append(f"  - {T(f'rule.{f.rule}')} ({T(f'sev.{f.severity}')}): {visible(f.message)}")
    events: list[tuple[datetime, str]] = [(case.created_at, T("tl.created"))]
    if case.received_at:
        events.append((case.received_at, T("tl.received")))
    if case.started_at:
        events.append((case.started_at, T("tl.started")))
    events += [(a, T("tl.attempt")) for a in case.contact_attempts]
    if case.last_patient_message_at:
        events.append((case.last_patient_message_at, T("tl.patient_msg")))
    if case.last_staff_message_at:
        events.append((case.last_staff_message_at, T("tl.staff_msg")))
    ho = case.handover
    if ho is not None:
        target = visible(units.get(ho.to_unit_id, ho.to_unit_id))
        events.append((ho.requested_at, T("tl.handover", unit=target)))
        if ho.accepted_at:
            events.append((ho.accepted_at, T("tl.handover_accepted")))
    if case.closed_at:
        reason = T(f"deviation.close.{case.close_reason}") if case.close_reason else "–"
        events.append((case.closed_at, T("tl.closed", reason=reason)))
    lines += ["", T("deviation.timeline")]
    lines += [f"  {when(at)}  {what}" for at, what in sorted(events, key=lambda e: e[0])]
    lines += ["", T("deviation.footer")]
    return "\n".join(lines) + "\n"


def save_deviation(text: str, folder: Path, case_id: str, at: datetime, zone: ZoneInfo) -> Path:
    """Write the draft beside the shift reports as ``avvikelse-<case>-YYYYMMDD-HHMM.txt`` (the
    folder 0700, the file 0600), whole or not at all; a draft of the same case in the same
    minute replaces the earlier one. Raises ``OSError``."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id)[:64] or "case"
    path = folder / f"avvikelse-{safe}-{at.astimezone(zone).strftime('%Y%m%d-%H%M')}.txt"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".part", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
