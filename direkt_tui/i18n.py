"""The one catalogue of user-facing text, Swedish first, English second.

Pure data and one lookup function; every layer (rule messages, report, UI) takes its words
from here, so the UI is Swedish by default and English with ``--lang en``.
"""

from __future__ import annotations

from typing import Any

LANGS = ("sv", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    # -- professions -----------------------------------------------------------------------
    "prof.nurse": ("sjuksköterska", "nurse"),
    "prof.doctor": ("läkare", "doctor"),
    "prof.assistant_nurse": ("undersköterska", "assistant nurse"),
    "prof.physiotherapist": ("fysioterapeut", "physiotherapist"),
    "prof.occupational_therapist": ("arbetsterapeut", "occupational therapist"),
    "prof.psychologist": ("psykolog", "psychologist"),
    "prof.counsellor": ("kurator", "counsellor"),
    "prof.dietitian": ("dietist", "dietitian"),
    "prof.medical_admin": ("Medicinsk admin", "medical admin"),
    "prof.admin_contact": ("Administrativ kontakt", "administrative contact"),
    # -- severities, statuses, levels --------------------------------------------------------
    "sev.critical": ("kritisk", "critical"),
    "sev.high": ("hög", "high"),
    "sev.medium": ("medel", "medium"),
    "sev.low": ("låg", "low"),
    "sev.info": ("info", "info"),
    "status.waiting": ("väntar", "waiting"),
    "status.received": ("mottagen", "received"),
    "status.started": ("pågående", "started"),
    "status.closed": ("avslutad", "closed"),
    "level.normal": ("normal", "normal"),
    "level.elevated": ("förhöjd", "elevated"),
    "level.high": ("hög", "high"),
    "level.very_high": ("mycket hög", "very high"),
    "prio.admin": ("admin", "admin"),
    "prio.n": ("P{p}", "P{p}"),
    # -- rule names -----------------------------------------------------------------------
    "rule.no_coordinator": ("Ingen övergripande ansvarig", "No coordinator"),
    "rule.no_clinician_present": ("Ingen vårdpersonal i tjänst", "No clinician present"),
    "rule.absent_owner": ("Ägare ej i tjänst", "Owner not present"),
    "rule.long_absence": ("Längre frånvaro", "Long absence"),
    "rule.owner_shift_ending": ("Ägarens pass slutar", "Owner's shift ending"),
    "rule.unscheduled_profession": ("Ej schemalagd yrkesroll", "Unscheduled profession"),
    "rule.stale_role_handover": ("Överlämning ej hanterad", "Role handover not handled"),
    "rule.overdue_waiting": ("Försenat, väntar", "Overdue, waiting"),
    "rule.awaiting_reply": ("Patienten väntar på svar", "Patient awaits reply"),
    "rule.urgent_open_near_close": ("Brådskande nära stängning", "Urgent near closing"),
    "rule.next_day_notice_due": ("Skicka nästa vardag-besked", "Next-day notice due"),
    "rule.closable": ("Kan avslutas", "Closable"),
    "rule.premature_close": ("Avslutat för tidigt", "Closed too early"),
    "rule.unit_handover_unaccepted": ("Överlämning ej accepterad", "Handover not accepted"),
    "rule.high_load": ("Hög belastning", "High load"),
    "rule.after_hours_arrival": ("Inkom utanför öppettid", "Arrived after hours"),
    "rule.protected_identity": ("Skyddad identitet", "Protected identity"),
    "rule.invalid_child_case": ("Barn under 1 år", "Child under 1 year"),
    "rule.stale_data": ("Gammal data", "Stale data"),
    # -- rule messages ----------------------------------------------------------------------
    "msg.no_coordinator.none": (
        "Ingen övergripande ansvarig är utsedd under öppettid – ta över rollen.",
        "No coordinator during opening hours – take over the role.",
    ),
    "msg.no_coordinator.absent": (
        "Övergripande ansvarig ({name}) är inte i tjänst – ta över rollen.",
        "The coordinator ({name}) is not at work – take over the role.",
    ),
    "msg.no_clinician_present": (
        "Ingen vårdpersonal är schemalagd under öppettid – ordna bemanning.",
        "No clinician is scheduled during opening hours – arrange staffing.",
    ),
    "msg.absent_owner.call": (
        "Ägaren ({name}) är inte i tjänst – ring upp patienten.",
        "The owner ({name}) is not at work – call the patient.",
    ),
    "msg.absent_owner.reassign": (
        "Ägaren ({name}) är inte i tjänst – lägg över ärendet.",
        "The owner ({name}) is not at work – reassign the case.",
    ),
    "msg.long_absence": (
        "Ägaren ({name}) har inget arbetspass på flera dagar – kontakta Stöd och service för att avsluta ärendet.",
        "The owner ({name}) has no shift for days – contact Stöd och service to close the case.",
    ),
    "msg.owner_shift_ending": (
        "Ägarens ({name}) arbetspass slutar {time} – lägg över ärendet till yrkesroll.",
        "The owner's ({name}) shift ends at {time} – hand the case over to a profession.",
    ),
    "msg.unscheduled_profession": (
        "Ärendet ligger hos yrkesrollen {profession}, som inte är schemalagd – lägg över ärendet.",
        "The case sits with the {profession} queue, and no {profession} is scheduled – reassign it.",
    ),
    "msg.stale_role_handover": (
        "Ärendet har legat hos {profession} i {minutes} arbetsminuter (gräns {limit}) – följ upp.",
        "The case has been with {profession} for {minutes} working minutes (limit {limit}) – follow up.",
    ),
    "msg.overdue_waiting": (
        "Har väntat {minutes} arbetsminuter (gräns {limit} för {prio}) – ta emot nu.",
        "Waiting {minutes} working minutes (limit {limit} for {prio}) – receive now.",
    ),
    "msg.awaiting_reply": (
        "Patienten har väntat på svar i {minutes} arbetsminuter (gräns {limit}) – svara.",
        "The patient has awaited a reply for {minutes} working minutes (limit {limit}) – reply.",
    ),
    "msg.urgent_open_near_close.open": (
        "{prio} är öppet {minutes} min före stängning – avsluta i dag eller ring patienten.",
        "{prio} open {minutes} min before closing – close it today or call the patient.",
    ),
    "msg.urgent_open_near_close.closed": (
        "{prio} är fortfarande öppet efter stängning – ring patienten.",
        "{prio} still open after closing – call the patient.",
    ),
    "msg.next_day_notice_due": (
        "Hinner inte hanteras i dag – skicka frasmallen ”Hanteras nästa vardag”.",
        "Will not be handled today – send the next-day template.",
    ),
    "msg.closable": (
        "Sex arbetstimmar sedan start och två kontaktförsök utan svar – kan avslutas med frasmall.",
        "Six working hours since start and two unanswered contact attempts – may be closed.",
    ),
    "msg.premature_close": (
        "Avslutades utan svar innan villkoren var uppfyllda – skriv avvikelse i Synergi med ärendets URL.",
        "Closed for no response before the conditions were met – file a deviation with the case URL.",
    ),
    "msg.unit_handover_unaccepted": (
        "Överlämning till {unit} är inte accepterad efter {minutes} min – ring vård-till-vård-numret.",
        "Handover to {unit} not accepted after {minutes} min – call the care-to-care number.",
    ),
    "msg.unit_handover_unaccepted.urgent": (
        "Brådskande överlämning till {unit} är inte accepterad – ring vård-till-vård-numret.",
        "Urgent handover to {unit} not accepted – call the care-to-care number.",
    ),
    "msg.high_load": (
        "Belastningen är {level} ({ratio} ärenden per vårdpersonal) – utöka bemanningen och skicka frasmallen ”Hög belastning”.",
        "Load is {level} ({ratio} cases per clinician) – add staff and send the high-load template.",
    ),
    "msg.after_hours_arrival": (
        "Inkom utanför öppettid – bedöm vid öppning.",
        "Arrived outside opening hours – triage at opening.",
    ),
    "msg.protected_identity": (
        "Patienten uppger skyddad identitet – kontrollera i Cosmic.",
        "The patient states protected identity – verify in Cosmic.",
    ),
    "msg.invalid_child_case": (
        "Patienten är under 1 år – kontrollera ärendet (det ska inte gå att söka vård för barn under 1 år).",
        "The patient is under 1 year old – check the case.",
    ),
    "msg.stale_data.none": (
        "Ingen lyckad synkronisering – följ reservrutinen.",
        "No successful sync – follow the fallback routine.",
    ),
    "msg.stale_data": (
        "Data är {minutes} min gammal – följ reservrutinen.",
        "Data is {minutes} min old – follow the fallback routine.",
    ),
    "name.unknown": ("okänd", "unknown"),
    # -- actions --------------------------------------------------------------------------
    "action.take_coordinator_role": ("Ta över rollen", "Take the coordinator role"),
    "action.arrange_staffing": ("Ordna bemanning", "Arrange staffing"),
    "action.call_patient": ("Ring upp patienten", "Call the patient"),
    "action.reassign": ("Lägg över", "Reassign"),
    "action.contact_support": ("Kontakta Stöd och service", "Contact Stöd och service"),
    "action.hand_over_to_role": ("Lägg över till yrkesroll", "Hand over to profession"),
    "action.follow_up": ("Följ upp", "Follow up"),
    "action.receive_now": ("Ta emot nu", "Receive now"),
    "action.reply": ("Svara", "Reply"),
    "action.close_today_or_call": ("Avsluta i dag eller ring", "Close today or call"),
    "action.send_template:next_day": ("Skicka ”Hanteras nästa vardag”", "Send next-day template"),
    "action.send_template:high_load": ("Skicka ”Hög belastning”", "Send high-load template"),
    "action.close_no_response": ("Avsluta (ej svar)", "Close (no response)"),
    "action.file_deviation": ("Skriv avvikelse", "File a deviation"),
    "action.call_care_to_care": ("Ring vård-till-vård", "Call care-to-care"),
    "action.increase_staffing": ("Utöka bemanningen", "Increase staffing"),
    "action.triage_at_opening": ("Bedöm vid öppning", "Triage at opening"),
    "action.verify_in_cosmic": ("Kontrollera i Cosmic", "Verify in Cosmic"),
    "action.check_case": ("Kontrollera ärendet", "Check the case"),
    "action.fallback_routine": ("Följ reservrutinen", "Follow the fallback routine"),
}


def t(key: str, lang: str = "sv", **kwargs: Any) -> str:
    """The text for ``key`` in ``lang`` (Swedish fallback), formatted with ``kwargs``."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    return text.format(**kwargs) if kwargs else text


def profession_label(code: str | None, lang: str = "sv") -> str:
    return t(f"prof.{code}", lang) if code else "–"


def priority_label(priority: int | None, lang: str = "sv") -> str:
    return t("prio.admin", lang) if priority is None else t("prio.n", lang, p=priority)
