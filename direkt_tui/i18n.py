"""The one catalogue of user-facing text, Swedish first, English second.

Pure data and one lookup function; every layer (rule messages, report, UI) takes its words
from here, so the UI is Swedish by default and English with ``--lang en``.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any, Protocol

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
        "Ärendet har legat hos {profession} i {minutes:hm} arbetstid (gräns {limit:hm}) – följ upp.",
        "The case has been with {profession} for {minutes:hm} of working time (limit {limit:hm}) – follow up.",
    ),
    "msg.overdue_waiting": (
        "Har väntat {minutes:hm} arbetstid (gräns {limit:hm} för {prio}) – ta emot nu.",
        "Waiting {minutes:hm} of working time (limit {limit:hm} for {prio}) – receive now.",
    ),
    "msg.awaiting_reply": (
        "Patienten har väntat på svar i {minutes:hm} arbetstid (gräns {limit:hm}) – svara.",
        "The patient has awaited a reply for {minutes:hm} of working time (limit {limit:hm}) – reply.",
    ),
    "msg.urgent_open_near_close.open": (
        "{prio} är öppet {minutes:hm} före stängning – avsluta i dag eller ring patienten.",
        "{prio} open {minutes:hm} before closing – close it today or call the patient.",
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
        "Överlämning till {unit} är inte accepterad efter {minutes:hm} – ring vård-till-vård-numret.",
        "Handover to {unit} not accepted after {minutes:hm} – call the care-to-care number.",
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
        "Data är {minutes:hm} gammal – följ reservrutinen.",
        "Data is {minutes:hm} old – follow the fallback routine.",
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
    # -- rule badges (short, for table cells) -------------------------------------------------
    "badge.no_coordinator": ("Ingen ansvarig", "No coordinator"),
    "badge.no_clinician_present": ("Ingen vårdpers.", "No clinician"),
    "badge.absent_owner": ("Ej i tjänst", "Owner absent"),
    "badge.long_absence": ("Lång frånvaro", "Long absence"),
    "badge.owner_shift_ending": ("Pass slutar", "Shift ending"),
    "badge.unscheduled_profession": ("Ej schemalagd", "Unscheduled"),
    "badge.stale_role_handover": ("Kö ej hanterad", "Queue stale"),
    "badge.overdue_waiting": ("Försenad", "Overdue"),
    "badge.awaiting_reply": ("Väntar svar", "Awaits reply"),
    "badge.urgent_open_near_close": ("Stängning", "Near close"),
    "badge.next_day_notice_due": ("Nästa vardag", "Next day"),
    "badge.closable": ("Kan avslutas", "Closable"),
    "badge.premature_close": ("För tidigt avsl.", "Closed early"),
    "badge.unit_handover_unaccepted": ("Ej accepterad", "Handover pending"),
    "badge.high_load": ("Hög belastning", "High load"),
    "badge.after_hours_arrival": ("Efter öppettid", "After hours"),
    "badge.protected_identity": ("Skyddad", "Protected"),
    "badge.invalid_child_case": ("Barn < 1 år", "Child < 1"),
    "badge.stale_data": ("Gammal data", "Stale data"),
    # -- bulk actions ------------------------------------------------------------------------
    "key.mark": ("Markera", "Mark"),
    "key.assign": ("Lägg över", "Reassign"),
    "key.move": ("Flytta", "Move"),
    "key.template": ("Frasmall", "Template"),
    "key.coordinator": ("Ansvarig-rollen", "Coordinator role"),
    "key.outbox": ("Utskick", "Outbox"),
    "key.reveal": ("Visa personnummer", "Reveal number"),
    "hdr.marked": ("{n} markerade", "{n} marked"),
    "hdr.outbox": ("{n} i kö till plattformen", "{n} queued for the platform"),
    "cmd.assign": (
        "Lägg över markerade ärenden (yrkesroll eller person)",
        "Reassign marked cases (profession or person)",
    ),
    "cmd.move": ("Flytta markerade väntande ärenden till annan enhet", "Move marked waiting cases to another unit"),
    "cmd.template": ("Skicka frasmall till markerade ärenden", "Send a phrase template to marked cases"),
    "cmd.coordinator": (
        "Ta över eller lämna rollen övergripande ansvarig",
        "Take over or hand back the coordinator role",
    ),
    "cmd.mark_all": ("Markera alla synliga ärenden", "Mark every visible case"),
    "cmd.clear_marks": ("Rensa markeringar", "Clear marks"),
    "cmd.outbox": ("Visa utskick och utfall", "Show writes and outcomes"),
    "cmd.unavailable": ("{title} (ej tillgängligt: {why})", "{title} (unavailable: {why})"),
    "ro.offline": ("offlineläge", "offline"),
    "ro.read_only": ("skrivskyddat läge", "read-only mode"),
    "ro.outage": ("driftstörning", "outage"),
    "ro.no_sync": ("ingen anslutning till plattformen", "no connection to the platform"),
    "ro.denied": ("Skrivåtgärder är avstängda ({why}).", "Write actions are off ({why})."),
    "act.none_selected": ("Inga ärenden valda – markera med mellanslag.", "No cases selected – mark with space."),
    "act.no_targets": ("Det finns inget att välja.", "There is nothing to choose."),
    "act.assign.title": ("Lägg över {n} ärenden till …", "Reassign {n} cases to …"),
    "act.move.title": ("Flytta {n} väntande ärenden till …", "Move {n} waiting cases to …"),
    "act.template.title": ("Skicka frasmall till {n} ärenden", "Send a template to {n} cases"),
    "act.role": ("Yrkesroll: {profession} ({unit})", "Profession: {profession} ({unit})"),
    "act.role.unscheduled": (
        "⚠ Yrkesroll: {profession} ({unit}) – ej schemalagd, kräver bekräftelse",
        "⚠ Profession: {profession} ({unit}) – not scheduled, needs confirmation",
    ),
    "act.person": ("Person i tjänst: {name} – {profession} ({unit})", "Person at work: {name} – {profession} ({unit})"),
    "act.unit": ("{name} ({id})", "{name} ({id})"),
    "act.coord.title": ("Rollen övergripande ansvarig – {unit}", "Coordinator role – {unit}"),
    "act.coord.take": ("Ta över: {name} ({profession})", "Take over: {name} ({profession})"),
    "act.coord.hand_back": ("Lämna tillbaka rollen (ingen ansvarig)", "Hand back the role (nobody)"),
    "act.coord.pick_unit": ("Välj enhet för rollen", "Choose the unit"),
    "preview.title": ("Förhandsgranska: {what}", "Preview: {what}"),
    "preview.summary": (
        "{n} valda · {ok} ändras · {skip} hoppas över · {hidden} av de markerade döljs av filtret",
        "{n} selected · {ok} will change · {skip} skipped · {hidden} marked hidden by the filter",
    ),
    "preview.summary.one": (
        "{n} vald · {ok} ändras · {skip} hoppas över · {hidden} av de markerade döljs av filtret",
        "{n} selected · {ok} will change · {skip} skipped · {hidden} marked hidden by the filter",
    ),
    "preview.force": (
        "Yrkesrollen är inte schemalagd. Tryck f för att lägga över ändå, Esc för att avbryta.",
        "The profession is not scheduled. Press f to reassign anyway, Esc to cancel.",
    ),
    "preview.confirm": ("y/Enter: genomför · Esc: avbryt", "y/Enter: do it · Esc: cancel"),
    "preview.nothing": ("Inget att göra – alla hoppas över. Esc: stäng", "Nothing to do – all skipped. Esc: close"),
    "preview.phone_list": (
        "{n} hålls av person: ring patienten i stället (telefonlistan).",
        "{n} are held by a person: call the patient instead (phone list).",
    ),
    "plan.will.role": ("→ kö {target}", "→ queue {target}"),
    "plan.will.role_forced": (
        "→ kö {target} – ej schemalagd på {unit}!",
        "→ queue {target} – not scheduled at {unit}!",
    ),
    "plan.will.person": ("→ {target}", "→ {target}"),
    "plan.will.move": ("flyttas till {target}", "moves to {target}"),
    "plan.will.template": ("får frasmallen ”{target}”", "gets the template ”{target}”"),
    "plan.skip.closed": ("hoppas över: avslutat", "skipped: closed"),
    "plan.skip.person_held": (
        "hoppas över: hålls av person – ring patienten",
        "skipped: held by a person – call the patient",
    ),
    "plan.skip.not_scheduled": (
        "hoppas över: {target} är inte schemalagd på {unit}",
        "skipped: {target} is not scheduled at {unit}",
    ),
    "plan.skip.not_present": (
        "hoppas över: personen är inte i tjänst på enheten",
        "skipped: the person is not at work there",
    ),
    "plan.skip.other_unit": ("hoppas över: annan enhet", "skipped: another unit"),
    "plan.skip.already_there": ("hoppas över: ligger redan där", "skipped: already there"),
    "plan.skip.already_received": ("hoppas över: redan mottaget (kan inte flyttas)", "skipped: already received"),
    "plan.skip.unit_not_activated": ("hoppas över: enheten är inte aktiverad", "skipped: unit not activated"),
    "plan.skip.same_unit": ("hoppas över: samma enhet", "skipped: same unit"),
    "outcome.title": ("Utfall", "Outcomes"),
    "outcome.pending": ("väntar", "pending"),
    "outcome.sending": ("skickas", "sending"),
    "outcome.done": ("klart", "done"),
    "outcome.conflict": ("konflikt – ärendet har ändrats", "conflict – the case has changed"),
    "outcome.failed": ("misslyckades", "failed"),
    "outcome.kind.assign": ("lägg över", "reassign"),
    "outcome.kind.move": ("flytta", "move"),
    "outcome.kind.message": ("frasmall", "template"),
    "outcome.kind.coordinator": ("ansvarig", "coordinator"),
    "outcome.summary": (
        "klara: {done} · konflikter: {conflict} · misslyckade: {failed} · väntar: {waiting}",
        "done: {done} · conflicts: {conflict} · failed: {failed} · waiting: {waiting}",
    ),
    "outcome.now": (
        "nu: {status}, ägare {owner}, version {version}",
        "now: {status}, owner {owner}, version {version}",
    ),
    "outcome.close": ("Esc: stäng (utskicken fortsätter i bakgrunden)", "Esc: close (writes go on in the background)"),
    "outcome.queued": ("{n} skrivningar köade", "{n} writes queued"),
    "reveal.done": ("Personnumret visades – åtkomsten är loggad.", "Number shown – the access is logged."),
    "reveal.denied": (
        "Kan inte logga åtkomsten ({why}) – personnumret visas inte.",
        "Cannot log the access ({why}) – the number is not shown.",
    ),
    # -- outage and looking back ---------------------------------------------------------------
    "outage.banner": (
        "DRIFTSTÖRNING – plattformen svarar inte sedan {since}. Data från {data} ({age} gammal). "
        "Skrivåtgärder är avstängda. Följ reservrutinen (F).",
        "OUTAGE – the platform has not answered since {since}. Data from {data} ({age} old). "
        "Writes are off. Follow the fallback routine (F).",
    ),
    "outage.offline_banner": (
        "OFFLINE – granskning av senaste ögonblicksbilden: tavlan är bedömd vid {data} ({age} sedan), inte nu. "
        "Skrivåtgärder är avstängda. Reservrutin: F.",
        "OFFLINE – reviewing the last snapshot: the board is evaluated at {data} ({age} ago), not now. "
        "Writes are off. Fallback routine: F.",
    ),
    "outage.entered": (
        "Driftstörning: synkroniseringen har misslyckats längre än gränsen.",
        "Outage: the sync has failed for longer than the stale limit.",
    ),
    "outage.left": (
        "Plattformen svarar igen – driftstörningsläget är avslutat.",
        "The platform answers again – outage mode has ended.",
    ),
    "history.banner": (
        "TILLBAKABLICK {at} – tavlan som den var då (ärendeversioner i lagret). "
        "[ / ]: ±15 min · Backspace: tillbaka till nu",
        "LOOKING BACK {at} – the board as it was (case versions in the store). [ / ]: ±15 min · Backspace: back to now",
    ),
    "history.live": ("Tillbaka till nuläget.", "Back to now."),
    "ro.history": ("tillbakablick", "looking back"),
    "key.back": ("−15 min", "−15 min"),
    "key.forward": ("+15 min", "+15 min"),
    "key.now": ("Nu", "Now"),
    "key.fallback": ("Reservrutin", "Fallback"),
    "cmd.back": ("Tillbakablick: 15 minuter tidigare", "Look back: 15 minutes earlier"),
    "cmd.forward": ("Tillbakablick: 15 minuter senare", "Look back: 15 minutes later"),
    "cmd.now": ("Tillbaka till nuläget", "Back to now"),
    "cmd.fallback": ("Reservrutin och telefonlista", "Fallback routine and phone list"),
    # -- shift work screens -------------------------------------------------------------------
    "checklist.col.item": ("Kontroll", "Check"),
    "checklist.col.status": ("Läge", "Status"),
    "checklist.summary": (
        "{open} av {total} punkter har ärenden kvar · kvitterade: {ack}",
        "{open} of {total} items have cases left · acknowledged: {ack}",
    ),
    "checklist.keys": (
        "Enter: visa ärendena · Mellanslag: kvittera · s: signera · p: skiftrapport · Esc: stäng",
        "Enter: show the cases · Space: acknowledge · s: sign off · p: shift report · Esc: close",
    ),
    "checklist.signed_ok": (
        "{title} signerad av {who} – {n} punkter kvar noterade.",
        "{title} signed off by {who} – {n} open items recorded.",
    ),
    "checklist.sign_denied": ("Kan inte signera ({why}).", "Cannot sign off ({why})."),
    "checklist.jumped": ("Visar: {text}", "Showing: {text}"),
    "fallback.title": ("Reservrutin – driftstörning (§12)", "Fallback routine – outage (§12)"),
    "fallback.col.patient": ("Patient", "Patient"),
    "fallback.col.phone": ("Telefon", "Phone"),
    "fallback.col.called": ("Uppringd", "Called"),
    "fallback.keys": (
        "x: markera som uppringd (med kort anteckning) · Enter: ärendet · Esc: stäng",
        "x: mark as called (with a short note) · Enter: the case · Esc: close",
    ),
    "fallback.note.title": ("Uppringd – kort anteckning (valfri)", "Called – short note (optional)"),
    "fallback.note.help": (
        "Sparas bara lokalt. Skriv inga personuppgifter.",
        "Kept locally only. No personal details.",
    ),
    "fallback.unmarked": ("Markeringen togs bort.", "Mark removed."),
    "report.title": ("Skiftrapport", "Shift report"),
    "report.saved": ("Sparad: {path}", "Saved: {path}"),
    "key.checklist_start": ("Skiftstart", "Shift start"),
    "key.checklist_during": ("Under dagen", "During the day"),
    "key.checklist_end": ("Skiftslut", "Shift end"),
    "key.report": ("Skiftrapport", "Shift report"),
    "cmd.checklist": ("Checklista: {title}", "Checklist: {title}"),
    "cmd.report": ("Skriv skiftrapport för nästa ansvarig", "Write the shift report for the next coordinator"),
    "help.k.checklists": (
        "checklistorna Skiftstart, Under dagen, Skiftslut",
        "the checklists shift start, during the day, shift end",
    ),
    "help.k.report": ("skiftrapport", "shift report"),
    "help.k.fallback": ("reservrutin och telefonlista", "fallback routine and phone list"),
    "help.k.look": ("tillbakablick ±15 min", "look back ±15 min"),
    "help.k.now": ("nu", "now"),
    # -- checklists, fallback routine, phone list, shift report ---------------------------------
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
    "fallback.called": ("uppringd", "called"),
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
    "calllist.col.called": ("Uppringd", "Called"),
    "calllist.col.called_at": ("Uppringd kl", "Called at"),
    "calllist.col.called_by": ("Uppringd av", "Called by"),
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
    "shift.load.none": ("Ingen belastning registrerad under perioden.", "No load recorded in the period."),
    "shift.load.col.unit": ("Enhet", "Unit"),
    "shift.load.col.samples": ("Mätningar", "Readings"),
    "shift.load.col.level": ("Nivå lägst–högst", "Level min–max"),
    "shift.load.col.last": ("Nivå senast", "Level last"),
    "shift.load.col.waiting": ("Väntande lägst/högst/senast", "Waiting min/max/last"),
    "shift.load.col.ratio": ("Högsta kvot", "Highest ratio"),
    "shift.load.col.peak": ("Högst kl", "Peak at"),
    "shift.findings": ("Fynd under passet", "Findings during the shift"),
    "shift.findings.summary": (
        "Nya: {opened}. Åtgärdade eller försvunna: {resolved}.",
        "New: {opened}. Resolved or gone: {resolved}.",
    ),
    "shift.findings.none": (
        "Inga fynd öppnades eller löstes under perioden.",
        "No findings were opened or resolved in the period.",
    ),
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
    "audit.action.call_unmark": ("Tagit bort markeringen uppringd", "Removed called mark"),
    # -- the audit log: direkt-tui audit verify | list, and the printed chain head --------------
    "audit.verify.ok": ("Granskningsloggen är hel ({n} poster).", "The audit log is intact ({n} entries)."),
    "audit.verify.bad": ("Granskningsloggen är inte hel: {problem}", "The audit log is not intact: {problem}"),
    "audit.verify.more": (
        "Granskningsloggen är inte hel: … och {n} problem till.",
        "The audit log is not intact: … and {n} more problems.",
    ),
    "audit.verify.plain_all": (
        "Alla {n} poster skrevs före nyckeln och är kontrollerade bara som vanlig "
        "SHA-256-kedja, som den som kan skriva i lagret kan räkna om; nya poster skyddas "
        "med nyckeln {path} (HMAC-SHA-256).",
        "All {n} entries were written before the key and are checked only as the plain "
        "SHA-256 chain, which anyone who can write the store can recompute; new entries "
        "are protected by the key {path} (HMAC-SHA-256).",
    ),
    "audit.verify.plain_some": (
        "Posterna 1–{plain} skrevs före nyckeln och är kontrollerade bara som vanlig "
        "SHA-256-kedja, som den som kan skriva i lagret kan räkna om; posterna "
        "{first}–{last} är skyddade med nyckeln {path} (HMAC-SHA-256).",
        "Entries 1–{plain} were written before the key and are checked only as the plain "
        "SHA-256 chain, which anyone who can write the store can recompute; entries "
        "{first}–{last} are protected by the key {path} (HMAC-SHA-256).",
    ),
    "audit.verify.anchor_ok": (
        "Ankaret {anchor} stämmer: post {n} finns kvar oförändrad.",
        "Anchor {anchor} holds: entry {n} is still in the log, unchanged.",
    ),
    "audit.problem.missing": (
        "posterna {first}–{last} saknas (borttagna)",
        "entries {first}–{last} are missing (removed)",
    ),
    "audit.problem.unlinked": (
        "post {n}: följer inte på posten före (en post har tagits bort eller bytts ut)",
        "entry {n}: does not follow the entry before it (an entry was removed or replaced)",
    ),
    "audit.problem.edited": (
        "post {n}: innehållet stämmer inte med kontrollsumman (ändrad)",
        "entry {n}: its content does not match its hash (edited)",
    ),
    "audit.problem.edited.many": (
        "posterna {first}–{last}: innehållet stämmer inte med kontrollsummorna (ändrade)",
        "entries {first}–{last}: their content does not match their hashes (edited)",
    ),
    "audit.problem.unkeyed": (
        "post {n}: saknar nyckelns kontrollsumma fast den kommer efter att nyckeln infördes (omskriven utan nyckeln)",
        "entry {n}: has no key-based hash although it comes after the key was introduced (rewritten without the key)",
    ),
    "audit.problem.unkeyed.many": (
        "posterna {first}–{last}: saknar nyckelns kontrollsumma fast de kommer efter "
        "att nyckeln infördes (omskrivna utan nyckeln)",
        "entries {first}–{last}: have no key-based hash although they come after the "
        "key was introduced (rewritten without the key)",
    ),
    "audit.problem.foreign": (
        "post {n}: skriven med en annan nyckel än {path} (kan inte kontrolleras med den här)",
        "entry {n}: written with another key than {path} (cannot be checked with this one)",
    ),
    "audit.problem.foreign.many": (
        "posterna {first}–{last}: skrivna med en annan nyckel än {path} (kan inte kontrolleras med den här)",
        "entries {first}–{last}: written with another key than {path} (cannot be checked with this one)",
    ),
    "audit.problem.malformed": (
        "post {n}: felaktig rad – {field} är {what}",
        "entry {n}: malformed row – {field} is {what}",
    ),
    "audit.problem.malformed_row": (
        "rad {n} i loggen: felaktig – {field} är {what}",
        "row {n} of the log: malformed – {field} is {what}",
    ),
    "audit.problem.boundary_missing": (
        "uppgiften om var posterna från före nyckeln slutar saknas eller är felaktig (ändrad)",
        "the record of where the entries from before the key end is missing or malformed (altered)",
    ),
    "audit.problem.head_missing": ("kedjans huvudpost saknas", "the chain's head record is missing"),
    "audit.problem.head_malformed": (
        "kedjans huvudpost är felaktig (ändrad)",
        "the chain's head record is malformed (altered)",
    ),
    "audit.problem.head_truncated": (
        "kedjan slutar vid post {end} men post {head} har skrivits (poster borttagna från slutet)",
        "the chain ends at entry {end} but entry {head} was written (entries removed from the end)",
    ),
    "audit.problem.head_mismatch": (
        "kedjans huvudpost anger post {head} men kedjan slutar vid post {end} (slutet "
        "har bytts ut eller huvudposten ändrats)",
        "the head record names entry {head} but the chain ends at entry {end} (the end "
        "was replaced or the head record altered)",
    ),
    "audit.problem.head_unsealed": (
        "kedjans huvudpost är inte förseglad med nyckeln (omskriven utan nyckeln)",
        "the chain's head record is not sealed with the key (rewritten without the key)",
    ),
    "audit.problem.head_bad_seal": (
        "kedjans huvudpost har fel försegling (ändrad)",
        "the chain's head record has a wrong seal (altered)",
    ),
    "audit.problem.anchor_missing": (
        "ankaret {anchor}: post {n} finns inte längre i loggen (loggen har kortats efter utskriften)",
        "anchor {anchor}: entry {n} is no longer in the log (the log was cut short after it was printed)",
    ),
    "audit.problem.anchor_changed": (
        "ankaret {anchor}: post {n} är inte den som skrevs ut (loggen har skrivits om)",
        "anchor {anchor}: entry {n} is not the one printed (the log was rewritten)",
    ),
    "audit.bad.blob": ("en BLOB", "a BLOB"),
    "audit.bad.null": ("tomt (NULL)", "empty (NULL)"),
    "audit.bad.number": ("ett tal", "a number"),
    "audit.bad.text": ("text", "text"),
    "audit.bad.not_json": ("inte giltig JSON", "not valid JSON"),
    "audit.bad.not_time": ("inte en tidpunkt", "not a time"),
    "audit.bad.not_hash": ("inte en kontrollsumma", "not a hash"),
    "audit.bad.not_key_id": ("inte ett nyckel-id", "not a key id"),
    "audit.list.col.seq": ("Nr", "No"),
    "audit.list.col.time": ("Tid", "Time"),
    "audit.list.col.actor": ("Vem", "Who"),
    "audit.list.col.action": ("Åtgärd", "Action"),
    "audit.list.col.subject": ("Avser", "Subject"),
    "audit.list.col.outcome": ("Utfall", "Outcome"),
    "audit.list.count": ("{n} poster.", "{n} entries."),
    "audit.list.count_bad": ("{n} poster, varav {bad} felaktiga.", "{n} entries, {bad} of them malformed."),
    "audit.list.head": (
        "Kedjans huvud: {anchor} (kontrollera senare med: direkt-tui audit verify --anchor {anchor})",
        "Chain head: {anchor} (check later with: direkt-tui audit verify --anchor {anchor})",
    ),
    "audit.subject.batch": ("utskick {id}", "write batch {id}"),
    "audit.subject.more": ("+{n} till", "+{n} more"),
    "audit.outcome.ok": ("ok", "ok"),
    "audit.outcome.queued": ("köad", "queued"),
    "audit.outcome.partial": ("delvis", "partial"),
    "audit.outcome.failed": ("misslyckad", "failed"),
    "audit.count.done": ("klara", "done"),
    "audit.count.conflict": ("konflikt", "conflict"),
    "audit.count.failed": ("misslyckade", "failed"),
    "audit.head": ("Granskningsloggens huvud: {anchor}", "Audit log head: {anchor}"),
    "audit.head.report": (
        "Granskningsloggens huvud: post {seq}, ankare `{anchor}` (kontrollera senare med "
        "`direkt-tui audit verify --anchor {anchor}`).",
        "Audit log head: entry {seq}, anchor `{anchor}` (check later with "
        "`direkt-tui audit verify --anchor {anchor}`).",
    ),
    "cmd.demo_outage": (
        "Demo: simulera driftstörning (plattformen ner/upp)",
        "Demo: simulate an outage (platform down/up)",
    ),
    "demo.outage_on": (
        "Demo: plattformen är nere. Efter 5 minuter (simulerad tid) blir det driftstörningsläge.",
        "Demo: the platform is down. After 5 minutes (simulated time) outage mode begins.",
    ),
    "demo.outage_off": ("Demo: plattformen är uppe igen.", "Demo: the platform is up again."),
    # -- what each rule checks (help screen) ---------------------------------------------------
    "desc.no_coordinator": (
        "Under öppettid saknas övergripande ansvarig, eller hen är inte i tjänst (§10.1).",
        "During opening hours nobody holds the coordinator role, or they are not at work.",
    ),
    "desc.no_clinician_present": (
        "Under öppettid är ingen vårdande yrkesroll schemalagd (§9.2).",
        "During opening hours no clinical profession is scheduled.",
    ),
    "desc.absent_owner": (
        "Aktivt ärende vars ägare inte är i tjänst nu (§6.1, §10.1).",
        "An active case whose owner is not at work now.",
    ),
    "desc.long_absence": (
        "Ägaren har inget pass 72 h bakåt eller 24 h framåt – Stöd och service avslutar (§10.1).",
        "The owner has no shift 72 h back or 24 h ahead – Stöd och service closes the case.",
    ),
    "desc.owner_shift_ending": (
        "Ägarens pass slutar inom 30 min – lägg över till yrkesroll (§6.1).",
        "The owner's shift ends within 30 min – hand over to a profession.",
    ),
    "desc.unscheduled_profession": (
        "Ärendet ligger hos en yrkesroll som ingen är schemalagd för (§10.1).",
        "The case sits with a profession nobody is scheduled for.",
    ),
    "desc.stale_role_handover": (
        "Ärendet har legat hos en schemalagd yrkesroll längre än svarsgränsen (§10.1).",
        "The case has been with a scheduled profession longer than the response limit.",
    ),
    "desc.overdue_waiting": (
        "Inkommet ärende har väntat längre än svarsgränsen för sin prioritet (arbetstid).",
        "A waiting case has waited longer than its priority's limit (working time).",
    ),
    "desc.awaiting_reply": (
        "Patienten skrev senast och har väntat längre än svarsgränsen (§10.1).",
        "The patient wrote last and has waited longer than the limit.",
    ),
    "desc.urgent_open_near_close": (
        "Prio 1–2 öppet nära eller efter stängning – avsluta eller ring (§6.1).",
        "P1–2 open near or after closing – close or call (§6.1).",
    ),
    "desc.next_day_notice_due": (
        "30 min före stängning: prio 3–5 och admin utan besked om nästa vardag (§6.1).",
        "30 min before closing: P3–5 and admin without a next-day notice.",
    ),
    "desc.closable": (
        "Sex arbetstimmar sedan start och två kontaktförsök med timmars mellanrum (§6.1).",
        "Six working hours since start and two contact attempts hours apart.",
    ),
    "desc.premature_close": (
        "Avslutat utan svar i dag innan villkoren var uppfyllda – avvikelse (§6.1, §14).",
        "Closed for no response today before the conditions were met – deviation.",
    ),
    "desc.unit_handover_unaccepted": (
        "Överlämning till annan enhet ej accepterad efter 30 min (brådskande: direkt).",
        "Handover to another unit not accepted after 30 min (urgent: at once).",
    ),
    "desc.high_load": (
        "Belastningen är hög: väntande och köade per närvarande vårdpersonal (§9).",
        "Load is high: waiting and queued cases per clinician present.",
    ),
    "desc.after_hours_arrival": (
        "Inkom utanför öppettid – bedöms vid öppning (§3).",
        "Arrived outside opening hours – triage at opening.",
    ),
    "desc.protected_identity": (
        "Patienten uppger skyddad identitet – kontrollera i Cosmic (§6.3).",
        "The patient states protected identity – verify in Cosmic.",
    ),
    "desc.invalid_child_case": (
        "Sök vård för barn under 1 år ska inte gå – kontrollera (§6.4).",
        "A care case for a child under 1 year should not exist – check it.",
    ),
    "desc.stale_data": (
        "Senaste lyckade synk är äldre än 5 min – följ reservrutinen (§12).",
        "The last successful sync is older than 5 min – follow the fallback routine.",
    ),
    # -- the application --------------------------------------------------------------------
    "app.title": ("direkt-tui – Övergripande ansvarig", "direkt-tui – coordinator"),
    "panel.active": ("Aktiva ärenden", "Active cases"),
    "panel.absent": ("Ägare ej i tjänst", "Owners not present"),
    "panel.roles": ("Överlämnat till ej schemalagd yrkesroll", "Handed to unscheduled professions"),
    "panel.load": ("Belastning", "Load"),
    "panel.overdue": ("Försenade ärenden", "Overdue cases"),
    "col.sev": (" ", " "),
    "col.prio": ("Prio", "Prio"),
    "col.status": ("Status", "Status"),
    "col.owner": ("Ägare", "Owner"),
    "col.waited": ("Väntat", "Waited"),
    "col.unit": ("Enhet", "Unit"),
    "col.case": ("Ärende", "Case"),
    "col.reason": ("Sökorsak", "Reason"),
    "col.findings": ("Fynd", "Findings"),
    "col.rule": ("Regel", "Rule"),
    "col.action": ("Åtgärd", "Action"),
    "col.level": ("Nivå", "Level"),
    "col.queued": ("Kö", "Q'd"),  # the load panel's 4-column cell
    "col.in_progress": ("Pågår", "Active"),  # 6 columns
    "col.clinicians": ("Vårdpers.", "Clinicians"),
    "col.ratio": ("Kvot", "Ratio"),
    "col.trend": ("Väntande i dag", "Waiting today"),
    "col.waiting": ("Väntar", "Waiting"),
    "hdr.units": ("Enheter", "Units"),
    "hdr.all_units": ("alla enheter", "all units"),
    "hdr.coordinator": ("Övergripande ansvarig", "Coordinator"),
    "hdr.nobody": ("ingen", "nobody"),
    "hdr.present": ("i tjänst", "present"),
    "hdr.absent": ("EJ i tjänst", "NOT present"),
    "hdr.sync": ("Synk", "Sync"),
    "hdr.sync_never": ("ingen synk ännu", "no sync yet"),
    "hdr.sync_age": ("data {age} gammal", "data {age} old"),
    "hdr.sync_failing": ("synk misslyckas ({n})", "sync failing ({n})"),
    "hdr.clock_ahead": ("plattformens klocka {d} före", "platform clock {d} ahead"),
    "hdr.clock_behind": ("plattformens klocka {d} efter", "platform clock {d} behind"),
    "duration.days": ("{d} dygn", "{d} days"),
    "notice.skipped_rows": (
        "{n} lagrade poster hoppades över (ogiltiga värden från en äldre version): {what}",
        "{n} stored records skipped (invalid values from an older version): {what}",
    ),
    "hdr.offline": ("OFFLINE – läser senaste ögonblicksbild", "OFFLINE – reading the last snapshot"),
    "hdr.readonly": ("skrivskyddad", "read-only"),
    "hdr.filter": ("Filter", "Filter"),
    "hdr.date": ("t.o.m. {date}", "up to {date}"),
    "alert.unit": ("{unit}: {text}", "{unit}: {text}"),
    "toast.new_critical": ("Nytt kritiskt fynd", "New critical finding"),
    "toast.synced": ("Synkroniserat", "Synced"),
    "toast.sync_failed": ("Synk misslyckades: {error}", "Sync failed: {error}"),
    "toast.sync_requested": ("Synkroniserar nu …", "Syncing now …"),
    "toast.no_sync_offline": ("Ingen synk i offlineläge", "No sync while offline"),
    "empty": ("Inget att visa", "Nothing to show"),
    "empty.filtered": ("Inget matchar filtret", "Nothing matches the filter"),
    "duration.min": ("{m} min", "{m} min"),
    "duration.h": ("{h} h {m:02d}", "{h} h {m:02d}"),
    "duration.s": ("{s} s", "{s} s"),
    "key.quit": ("Avsluta", "Quit"),
    "key.help": ("Hjälp", "Help"),
    "key.filter": ("Filter", "Filter"),
    "key.date": ("Datum", "Date"),
    "key.unit": ("Enhet", "Unit"),
    "key.sync": ("Synka nu", "Sync now"),
    "key.detail": ("Detaljer", "Details"),
    "key.clear": ("Rensa filter", "Clear filter"),
    "key.next_panel": ("Nästa panel", "Next panel"),
    "key.prev_panel": ("Föregående panel", "Previous panel"),
    "key.close": ("Stäng", "Close"),
    "filter.title": ("Filtrera ärenden", "Filter cases"),
    "filter.help": (
        "Fritext (ärende, sökorsak, ägare, patientens namn eller personnummer/sista fyra – loggas) och/eller "
        "regel:absent_owner  prio:1  enhet:vc-x  status:väntar  risk:. Tom rad rensar.",
        "Free text (case, reason, owner, the patient's name or number/last four – logged) and/or "
        "rule:absent_owner  prio:1  unit:vc-x  status:waiting  risk:. Empty clears.",
    ),
    "filter.bad": ("Okänt filter: {token}", "Unknown filter: {token}"),
    "date.title": ("Öppna ärenden inkomna t.o.m. datum", "Open cases that arrived up to a date"),
    "date.help": (
        "ÅÅÅÅ-MM-DD, ”i går”, ”i dag” eller tomt för alla. Visar de äldsta först.",
        "YYYY-MM-DD, ”yesterday”, ”today” or empty for all. Oldest first.",
    ),
    "date.bad": ("Ogiltigt datum: {text}", "Invalid date: {text}"),
    "units.title": ("Välj enhet", "Choose unit"),
    "units.all": ("Alla enheter", "All units"),
    "detail.title": ("Ärende {id}", "Case {id}"),
    "detail.fields": ("Uppgifter", "Details"),
    "detail.findings": ("Fynd och åtgärder", "Findings and actions"),
    "detail.timeline": ("Tidslinje", "Timeline"),
    "detail.message": ("Förklaring", "Explanation"),
    "detail.no_findings": ("Inga fynd.", "No findings."),
    "detail.patient": ("Patient", "Patient"),
    "detail.protected": ("Skyddad identitet – kontrollera i Cosmic", "Protected identity – check in Cosmic"),
    "detail.url": ("Ärendets URL (för avvikelse, §14)", "Case URL (for deviation reports, §14)"),
    "detail.kind": ("Typ", "Kind"),
    "detail.kind.care": ("Sök vård", "Care"),
    "detail.kind.admin": ("Administrativt", "Administrative"),
    "detail.owner_since": ("Ägare sedan", "Owner since"),
    "detail.handover": ("Överlämning", "Handover"),
    "detail.handover.pending": (
        "till {unit}, begärd {at}, ej accepterad{urgent}",
        "to {unit}, requested {at}, not accepted{urgent}",
    ),
    "detail.handover.accepted": ("till {unit}, accepterad {at}", "to {unit}, accepted {at}"),
    "detail.urgent": (" (brådskande)", " (urgent)"),
    "detail.waited": ("Väntat (arbetstid)", "Waited (working time)"),
    "detail.missing": ("Ärendet finns inte längre i lagret.", "The case is no longer in the store."),
    "tl.created": ("Inkom", "Arrived"),
    "tl.received": ("Mottagen (Ta emot, sms skickat)", "Received (SMS sent)"),
    "tl.started": ("Startad (första meddelandet)", "Started (first message)"),
    "tl.patient_msg": ("Patientens senaste meddelande", "Patient's last message"),
    "tl.staff_msg": ("Personalens senaste meddelande", "Staff's last message"),
    "tl.attempt": ("Kontaktförsök", "Contact attempt"),
    "tl.notice": ("Frasmall: {title}", "Template: {title}"),
    "tl.owner": ("Ägare satt: {owner}", "Owner set: {owner}"),
    "tl.handover": ("Överlämning begärd till {unit}", "Handover requested to {unit}"),
    "tl.handover_accepted": ("Överlämning accepterad", "Handover accepted"),
    "tl.closed": ("Avslutad ({reason})", "Closed ({reason})"),
    "help.title": ("Hjälp – direkt-tui", "Help – direkt-tui"),
    "help.intro": (
        "Översikten för övergripande ansvarig (riktlinjen §10.1): aktiva ärenden, ägare som inte är i tjänst, "
        "ärenden hos yrkesroller som inte är schemalagda, belastning och försenade ärenden. Allt uppdateras "
        "efter varje synkronisering och var 30:e sekund.",
        "The coordinator's overview (guideline §10.1): active cases, owners not at work, cases with unscheduled "
        "professions, load and overdue cases. Everything updates after each sync and every 30 seconds.",
    ),
    "help.keys": ("Tangenter", "Keys"),
    "help.colors": ("Färger", "Colours"),
    "help.colors.text": (
        "Rött = kritiskt, orange = hög, gult = medel, blått = info. Synkstatus: neutral när data är färsk, "
        "gul när den är äldre än gränsen, röd vid driftstörning.",
        "Red = critical, orange = high, yellow = medium, blue = info. Sync state: neutral when fresh, amber when "
        "stale, red in an outage.",
    ),
    # the help screen's key lines (ui/keys.py): the text after each key, the tables' own keys in full
    "help.k.panels": ("byt panel", "switch panel"),
    "help.k.cursor": ("↑↓ eller j/k: flytta · PgUp/PgDn, Home/End", "↑↓ or j/k: move · PgUp/PgDn, Home/End"),
    "help.k.detail": (
        "ärendets detaljer (fynd, åtgärd, tidslinje, URL)",
        "case details (findings, action, timeline, URL)",
    ),
    "help.k.filter": (
        "filter (fritext, regel:, prio:, enhet:, status:)",
        "filter (free text, rule:, prio:, unit:, status:)",
    ),
    "help.k.clear": ("rensa filter", "clear filter"),
    "help.k.date": (
        "datumfilter – öppna ärenden från tidigare dagar, äldst först",
        "date filter – open cases from earlier days, oldest first",
    ),
    "help.k.unit": ("välj enhet", "choose unit"),
    "help.k.sync": ("synka nu", "sync now"),
    "help.k.palette": ("kommandopaletten med alla åtgärder", "the command palette with every action"),
    "help.k.mark": (
        "Mellanslag: markera och gå ned · Shift+mellanslag / V: markera intervall",
        "Space: mark and move down · Shift+space / V: mark a range",
    ),
    "help.k.mark_all": ("markera alla synliga", "mark all visible"),
    "help.k.clear_marks": ("rensa", "clear"),
    "help.k.assign": ("lägg över", "reassign"),
    "help.k.move": ("flytta väntande", "move waiting"),
    "help.k.template": ("frasmall", "template"),
    "help.k.coordinator": ("ansvarig-rollen", "coordinator role"),
    "help.k.outbox": ("utskick och utfall", "writes and outcomes"),
    "help.k.quit": ("avsluta", "quit"),
    "help.k.help": ("den här hjälpen", "this help"),
    "keys.unknown": ("Okänd tangent i [keys] (ignoreras): {ids}", "Unknown key in [keys] (ignored): {ids}"),
    "theme.unknown": ("Okänt tema i [ui] theme (ignoreras): {theme}", "Unknown theme in [ui] theme (ignored): {theme}"),
    "theme.not_saved": (
        "Temat kunde inte sparas i konfigurationen: {why}",
        "The theme could not be saved in the configuration: {why}",
    ),
    "help.rules": ("Regler", "Rules"),
    "help.deadlines": ("Nära gränsen och prognos", "Near the limit and the forecast"),
    "help.deadlines.text": (
        "Kvar: tid kvar i arbetstid till ärendets gräns (väntan, svar eller yrkesrollens kö); +8 min = så"
        " länge över. ◷ = nära gränsen: minst 75 % av gränsen använd (standard; at_risk_fraction per enhet i konfigurationen).\n"
        "Prognos vid stängning, per enhet vid t: väntande nu + väntade ankomster till stängning − det som hinner"
        " tas = kvar vid stängning. Det som väntar kvar vid stängning hur många som än arbetar: med historik det som samma"
        " veckodagar hade kvar (de som kom efter samma klockslag, plus dagens väntande × andelen av deras"
        " väntande som var kvar), annars ankomster per timme nära stängning × väntetiden för de senast tagna; resten tas med"
        " vårdpersonaltimmarna i schemat × ärenden per vårdpersonaltimme (det största av"
        " [forecast] cases_per_clinician_hour, samma veckodag de senaste 4 veckorna och i dag). Extra"
        " vårdpersonaltimmar = det som blir kvar utöver det ÷ takten. Enter på en enhet i"
        " belastningspanelen visar termerna och diagrammet; README förklarar mer.",
        "Left: working time left to the case's limit (waiting, reply or the profession's queue); +8 min = that"
        " long over. ◷ = near the limit: at least 75% of the limit used (the default; at_risk_fraction per unit in the configuration).\n"
        "Forecast at closing, per unit at t: waiting now + expected arrivals to closing − what can be taken"
        " = left at closing. What is still waiting at closing however many work: with history, what the same"
        " weekdays still had (those arriving after the same time, plus today's waiting × the share of theirs"
        " still waiting then), else arrivals per hour near closing × the wait of the cases taken lately; the rest is taken by the scheduled"
        " clinician-hours × cases per clinician-hour (the largest of [forecast] cases_per_clinician_hour, the"
        " same weekday of the last 4 weeks, and today). Extra clinician-hours = what is left beyond that"
        " ÷ the rate. Enter on a unit in the load panel shows the terms and the chart; the README"
        " says more.",
    ),
    "cmd.filter": ("Filtrera ärenden", "Filter cases"),
    "cmd.date": ("Datumfilter (äldre öppna ärenden)", "Date filter (older open cases)"),
    "cmd.unit": ("Välj enhet", "Choose unit"),
    "cmd.sync": ("Synka nu", "Sync now"),
    "cmd.help": ("Visa hjälp", "Show help"),
    "cmd.clear": ("Rensa filter", "Clear filters"),
    "cmd.quit": ("Avsluta", "Quit"),
    "cmd.detail": ("Visa ärendets detaljer", "Show case details"),
    "cmd.panel": ("Gå till panel: {panel}", "Go to panel: {panel}"),
    # -- H-C --
    # the coordinator role (c), previewed like every write; reassigning across units; keys
    # that cannot act while writes are off
    "act.coord.give": ("Lämna över rollen till {name} ({profession})", "Hand the role to {name} ({profession})"),
    "act.coord.now": ("Övergripande ansvarig nu: {name}.", "Coordinator now: {name}."),
    "act.coord.now_nobody": ("Enheten har ingen övergripande ansvarig nu.", "The unit has no coordinator now."),
    "act.coord.no_one_else": (
        "Ingen annan vårdpersonal är i tjänst på enheten just nu.",
        "No other clinical staff is at work in the unit now.",
    ),
    "act.coord.nobody_present": (
        "Ingen vårdpersonal i tjänst på {unit} kan ta rollen just nu.",
        "No clinical staff at work at {unit} can take the role now.",
    ),
    "act.coord.nobody": ("ingen", "nobody"),
    "act.role.partly": (
        "⚠ Yrkesroll: {profession} – schemalagd på {unit}, inte på {missing} (de ärendena hoppas över)",
        "⚠ Profession: {profession} – scheduled at {unit}, not at {missing} (those cases are skipped)",
    ),
    "act.role.partly_force": (
        "⚠ Yrkesroll: {profession} – även på {missing}, där den inte är schemalagd (kräver f)",
        "⚠ Profession: {profession} – also at {missing}, where it is not scheduled (needs f)",
    ),
    "preview.force_at": (
        "⚠ {n} av ärendena hamnar hos en yrkesroll som inte är schemalagd på {units}. f: lägg över ändå · Esc: avbryt",
        "⚠ {n} of the cases would land with a profession not scheduled at {units}. f: reassign anyway · Esc: cancel",
    ),
    "preview.why.force": (
        "y räcker inte: yrkesrollen är inte schemalagd där. Tryck f för att lägga över ändå.",
        "y is not enough: the profession is not scheduled there. Press f to reassign anyway.",
    ),
    "preview.why.nothing": (
        "Inget att genomföra – allt hoppas över. Esc stänger.",
        "Nothing to do – everything is skipped. Esc closes.",
    ),
    "preview.nothing_role": ("Inget att göra. Esc: stäng", "Nothing to do. Esc: close"),
    "preview.role.col_now": ("Ansvarig nu", "Coordinator now"),
    "preview.role.col_new": ("Blir ansvarig", "Will be"),
    "preview.role.summary": (
        "{unit}: {new} blir övergripande ansvarig i stället för {now}.",
        "{unit}: {new} becomes the coordinator instead of {now}.",
    ),
    "preview.role.summary_nobody": (
        "{unit}: {now} lämnar tillbaka rollen – ingen blir övergripande ansvarig.",
        "{unit}: {now} hands back the role – nobody will be the coordinator.",
    ),
    "preview.role.nobody": (
        "⚠ {unit} får ingen övergripande ansvarig. Det är ett kritiskt fynd: tjänsten ska alltid "
        "vara bemannad med en vårdpersonal som är övergripande ansvarig (riktlinjen §10.1).",
        "⚠ {unit} will have no coordinator. That is a critical finding: the service must always "
        "have a clinician as its coordinator (guideline §10.1).",
    ),
    "plan.will.role_take": ("{new} blir övergripande ansvarig", "{new} becomes the coordinator"),
    "plan.will.role_hand_back": ("ingen övergripande ansvarig!", "no coordinator!"),
    "plan.skip.role_holder": (
        "{new} har redan rollen – inget ändras",
        "{new} already holds the role – nothing changes",
    ),
    "plan.skip.role_nobody": (
        "ingen har rollen – inget att lämna tillbaka",
        "nobody holds the role – nothing to hand back",
    ),
    "plan.skip.role_not_clinical": (
        "{new} är inte i tjänst som vårdpersonal på enheten – rollen kräver vårdpersonal (§10.1)",
        "{new} is not at work as clinical staff in the unit – the role needs a clinician (§10.1)",
    ),
    "key.preview.confirm": ("Genomför", "Do it"),
    "key.preview.force": ("Lägg över ändå", "Reassign anyway"),
    "key.preview.cancel": ("Avbryt", "Cancel"),
    # -- H-L --
    # the footers of the screens and the tables (ui/bindings.py)
    "bind.acknowledge": ("Kvittera", "Acknowledge"),
    "bind.sign_off": ("Signera", "Sign off"),
    "bind.called": ("Uppringd", "Called"),
    "bind.up": ("Upp", "Up"),
    "bind.down": ("Ned", "Down"),
    "bind.mark_range": ("Markera intervall", "Mark range"),
    "bind.mark_all": ("Markera alla", "Mark all"),
    "bind.palette": ("kommandon", "commands"),
    "palette.placeholder": ("Sök kommando …", "Search for commands…"),
    "checklist.signed.none": ("Ingen checklista är signerad i dag.", "No checklist signed today."),
    "checklist.signed.today": ("Signerat i dag:", "Signed today:"),
    "checklist.signed.line": (
        "{title} kl {time} av {who} – kvitterade: {ack}, kvar: {open}",
        "{title} at {time} by {who} – acknowledged: {ack}, open: {open}",
    ),
    # the checklists' items in a table cell (the shift report): short names, never the ids
    "checklist.short.data_fresh": ("Data aktuell", "Data current"),
    "checklist.short.coordinator": ("Ansvarig utsedd", "Coordinator named"),
    "checklist.short.coordinator_handover": ("Ansvarig-rollen överlämnad", "Coordinator role handed over"),
    "checklist.short.staffing": ("Bemanning", "Staffing"),
    "checklist.short.owners_present": ("Ägare i tjänst", "Owners at work"),
    "checklist.short.shift_end_handover": ("Överlagt vid passets slut", "Handed over at shift end"),
    "checklist.short.long_absence": ("Längre frånvaro", "Long absence"),
    "checklist.short.date_filter": ("Tidigare dagar och utanför öppettid", "Earlier days and after hours"),
    "checklist.short.load": ("Belastning", "Load"),
    "checklist.short.unscheduled_roles": ("Ej schemalagd yrkesroll", "Unscheduled profession"),
    "checklist.short.handovers": ("Överlämningar", "Handovers"),
    "checklist.short.urgent": ("Brådskande ärenden", "Urgent cases"),
    "checklist.short.ongoing_first": ("Pågående först", "Ongoing first"),
    "checklist.short.urgent_before_close": ("Prio 1–2 före stängning", "P1–2 before closing"),
    "checklist.short.next_day_notice": ("Besked om nästa vardag", "Next-day notice"),
    "checklist.short.closable": ("Avsluta utan svar", "Close without reply"),
    "checklist.short.deviations": ("Avvikelser i Synergi", "Deviations in Synergi"),
    "shift.findings.info": (
        "Information (antal, inte var för sig): {what}.",
        "Information (counts, not one by one): {what}.",
    ),
    "shift.findings.info.item": ("{rule}: {n}", "{rule}: {n}"),
    "calllist.data.as_at": (
        "Tillbakablick: ärendena som de var {time} (ur ärendenas historik i lagret; senast hämtat {fetched}).",
        "Looking back: the cases as they were at {time} (from their history in the store; last fetched {fetched}).",
    ),
    "duration.hours": ("{h} h", "{h} h"),
    "duration.hours_min": ("{h} h {m} min", "{h} h {m} min"),
    # short profession names for narrow cells (profession_short): the words nurses use
    "prof.short.nurse": ("ssk", "RN"),
    "prof.short.doctor": ("läk", "MD"),
    "prof.short.assistant_nurse": ("usk", "AN"),
    "prof.short.physiotherapist": ("fysio", "PT"),
    "prof.short.occupational_therapist": ("arb.ter", "OT"),
    "prof.short.psychologist": ("psyk", "psych"),
    "prof.short.counsellor": ("kurator", "couns"),
    "prof.short.dietitian": ("dietist", "diet"),
    "prof.short.medical_admin": ("med.adm", "med adm"),
    "prof.short.admin_contact": ("adm", "admin"),
    # singular forms: t(key, n=1) takes key + ".one" (Swedish singular and plural, item 16)
    "hdr.marked.one": ("{n} markerad", "{n} marked"),
    "notice.skipped_rows.one": (
        "{n} lagrad post hoppades över (ogiltiga värden från en äldre version): {what}",
        "{n} stored record skipped (invalid values from an older version): {what}",
    ),
    "audit.verify.ok.one": ("Granskningsloggen är hel ({n} post).", "The audit log is intact ({n} entry)."),
    "audit.list.count.one": ("{n} post.", "{n} entry."),
    "audit.list.count_bad.one": ("{n} post, felaktig.", "{n} entry, malformed."),
    "outcome.queued.one": ("{n} skrivning köad", "{n} write queued"),
    "act.assign.title.one": ("Lägg över {n} ärende till …", "Reassign {n} case to …"),
    "act.move.title.one": ("Flytta {n} väntande ärende till …", "Move {n} waiting case to …"),
    "act.template.title.one": ("Skicka frasmall till {n} ärende", "Send a template to {n} case"),
    "checklist.signed_ok.one": (
        "{title} signerad av {who} – {n} punkt kvar noterad.",
        "{title} signed off by {who} – {n} open item recorded.",
    ),
    # -- H-S --
    "start.first_sync": (
        "direkt-tui: första synken från {url} …",
        "direkt-tui: first sync from {url} …",
    ),
    "start.unconfigured": (
        "ingen plattforms-API är konfigurerad. Standardadressen {url} prövades och inget svarar där ({error}).",
        "no platform API is configured. The default address {url} was tried and nothing answers there ({error}).",
    ),
    "start.no_answer": (
        "plattformens API svarar inte på {url} ({error}). Lagret har ingen data ännu, så det finns ingen "
        "ögonblicksbild att visa.",
        "the platform API does not answer at {url} ({error}). The store has no data yet, so there is no "
        "snapshot to show.",
    ),
    "start.how": (
        "Ange adressen med --api URL eller [api] url i {config} (token: DIREKT_API_TOKEN eller api.token_file), "
        "eller prova utan konfiguration: direkt-tui demo",
        "Give the address with --api URL or [api] url in {config} (token: DIREKT_API_TOKEN or api.token_file), "
        "or try it without configuration: direkt-tui demo",
    ),
    "offline.evaluated_at": (
        "Offline: tavlan är bedömd vid ögonblicksbilden {at}, inte nu – väntetider och belastning är som då.",
        "Offline: the board is evaluated at the snapshot's instant {at}, not now – waits and load are as they were then.",
    ),
    "report.writing": ("Skiftrapporten skrivs …", "Writing the shift report …"),
    "report.busy": ("Skiftrapporten skrivs redan …", "The shift report is already being written …"),
    "report.saved_notice": ("Skiftrapporten är sparad: {path}", "The shift report is saved: {path}"),
    "report.not_saved": ("Skiftrapporten kunde inte sparas: {why}", "The shift report could not be saved: {why}"),
    "demo.db_exists": (
        "{path} finns redan – demon skriver ett nytt lager; välj ett nytt filnamn eller ta bort filen",
        "{path} already exists – the demo writes a fresh store; choose a new file name or remove the file",
    ),
    "demo.db_kept": (
        "direkt-tui demo: lagret finns kvar i {path} (granska det med: direkt-tui tui --offline --db {path})",
        "direkt-tui demo: the store is kept in {path} (review it with: direkt-tui tui --offline --db {path})",
    ),
    # -- H-F --
    # range marking: the status bar after a first V (the second marks up to the cursor)
    "hf.hint.mark_range": ("markera till hit: V", "mark to here: V"),
    # the case detail's timeline: the coordinator's own writes (outbox, with the audit's actor)
    "tl.w.assign": ("Lagt över till {owner} av {who}{state}", "Reassigned to {owner} by {who}{state}"),
    "tl.w.move": ("Flyttat till {unit} av {who}{state}", "Moved to {unit} by {who}{state}"),
    "tl.w.message": ("Frasmall: {title} – skickad av {who}{state}", "Template: {title} – sent by {who}{state}"),
    "tl.w.someone": ("övergripande ansvarig", "the coordinator"),
    "tl.w.pending": (" (köad, inte skickad än)", " (queued, not sent yet)"),
    "tl.w.sending": (" (skickas)", " (sending)"),
    "tl.w.conflict": (" – inte genomfört: ärendet hade ändrats", " – not done: the case had changed"),
    "tl.w.failed": (" – misslyckades", " – failed"),
    # -- H-T --
    # countdowns (issue 13 §1): the case panels' column, the load panel's at-risk count
    "col.left": ("Kvar", "Left"),
    "col.at_risk": ("Risk", "Risk"),
    "col.clinicians_later": ("Vårdpers. nu/senare", "Clinicians now/later"),
    "hdr.at_risk": ("{n} nära gränsen", "{n} at risk"),
    # gaps ahead (§2): the alerts and the roster view
    "alert.coverage_gap": (
        "ingen vårdpersonal schemalagd {start}–{end} (enheten får inte stänga)",
        "no clinician scheduled {start}–{end} (the unit may not close)",
    ),
    "alert.handover": (
        "{name} slutar {time} – lämna över rollen (kan ta den: {who})",
        "{name} leaves at {time} – hand over the role (could take it: {who})",
    ),
    "alert.handover.nobody": (
        "{name} slutar {time} – lämna över rollen (ingen annan vårdpersonal i tjänst kan ta den)",
        "{name} leaves at {time} – hand over the role (no other clinician present can take it)",
    ),
    # the roster view ("Bemanning")
    "key.roster": ("Bemanning", "Roster"),
    "key.alerts": ("Larm", "Alerts"),
    "cmd.unavailable_help": ("{keys} – ej tillgängligt: {why}", "{keys} – unavailable: {why}"),
    "hdr.looking_back": ("tillbakablick – tavlan som den var kl {at}", "looking back – the board as it was at {at}"),
    "preview.template_text": ("Patienten får läsa:\n{text}", "The patient will read:\n{text}"),
    "forecast.note": ("Prognos vid stängning: {units}", "Forecast at closing: {units}"),
    "forecast.unit": (
        "{unit} {n} väntar (+{hours} vårdpersonaltimmar)",
        "{unit} {n} waiting (+{hours} clinician-hours)",
    ),
    "forecast.clear": ("Prognos vid stängning: inget kvar", "Forecast at closing: nothing left"),
    "cmd.alerts": (
        "Larm: visa alla, Enter på ett larm filtrerar eller åtgärdar",
        "Alerts: show all, Enter on one filters or acts",
    ),
    "help.k.alerts": (
        "alla larm (Enter på ett larm: dess ärenden eller åtgärd)",
        "all alerts (Enter on one: its cases or action)",
    ),
    "cmd.roster": (
        "Bemanning: pass och ärenden per person, luckor i schemat",
        "Roster: shifts and cases per person, gaps ahead",
    ),
    "help.k.roster": ("bemanning: vem är i tjänst, deras ärenden, luckor", "roster: who is on, their cases, gaps"),
    "roster.title": ("Bemanning – {unit}", "Roster – {unit}"),
    "roster.summary": (
        "I tjänst nu: {present} · senare i dag: {later}",
        "Present now: {present} · later today: {later}",
    ),
    "roster.nobody": ("ingen", "nobody"),
    "roster.off_holding": ("{name} – ej i tjänst – {n} ärenden", "{name} – off shift – {n} cases"),
    "roster.off_holding.one": ("{name} – ej i tjänst – {n} ärende", "{name} – off shift – {n} case"),
    "roster.gap": ("Lucka: ingen vårdpersonal {start}–{end}", "Gap: no clinician {start}–{end}"),
    "roster.no_gaps": ("Inga luckor i schemat resten av dagen.", "No gaps in the roster for the rest of the day."),
    "roster.coordinator": ("Övergripande ansvarig: {name}, till {time}", "Coordinator: {name}, until {time}"),
    "roster.col.name": ("Namn", "Name"),
    "roster.col.profession": ("Yrke", "Prof."),
    "roster.col.shifts": ("Pass i dag", "Shifts today"),
    "roster.col.present": ("I tjänst", "On"),
    "roster.col.logged_in": ("Inlogg.", "Logged"),
    "roster.col.until": ("Till", "Until"),
    "roster.col.cases": ("Ärenden", "Cases"),
    "roster.col.awaiting": ("Väntar svar", "Await reply"),
    "roster.col.oldest": ("Äldsta svar", "Oldest"),
    "roster.yes": ("ja", "yes"),
    "roster.no": ("nej", "no"),
    "roster.off": ("ej i tjänst", "off shift"),
    "roster.from": ("från {time}", "from {time}"),
    "roster.lunch": ("lunch {start}–{end}", "lunch {start}–{end}"),
    "roster.key.mark": ("Markera personens ärenden", "Mark their cases"),
    "roster.marked": ("{n} ärenden markerade ({name})", "{n} cases marked ({name})"),
    "roster.marked.one": ("{n} ärende markerat ({name})", "{n} case marked ({name})"),
    "roster.mark.none": ("{name} har inga öppna ärenden", "{name} holds no open cases"),
    "roster.hint": ("m: markera personens ärenden · Esc: stäng", "m: mark the person's cases · Esc: close"),
    # who can take it (§3): the reassignment's targets
    "roster.why.no_shift": (
        "{name} har inget pass i enheten i dag – erbjuds inte",
        "{name} has no shift in the unit today – not offered",
    ),
    "roster.why.later": (
        "{name} är inte i tjänst nu (pass från {time}) – erbjuds inte",
        "{name} is not on shift now (from {time}) – not offered",
    ),
    "roster.why.off_shift": (
        "{name} är inte i tjänst (passet är slut) – erbjuds inte",
        "{name} is off shift (the shift has ended) – not offered",
    ),
    "roster.why.unknown": ("Ingen i personalen heter ”{name}”", "Nobody on the staff is called ”{name}”"),
    "act.suggest": (
        "{mark}{name} ({profession}) – {active} pågående, {awaiting} väntar svar, slutar {until}{unit}",
        "{mark}{name} ({profession}) – {active} in progress, {awaiting} awaiting reply, leaves {until}{unit}",
    ),
    "act.suggest.best": ("★ föreslås: ", "★ suggested: "),
    "act.suggest.ending": ("⚠ slutar snart: ", "⚠ leaving soon: "),
    "act.spread": (
        "Fördela på sjuksköterskor i tjänst ({n} st, minst belastad först)",
        "Spread over present nurses ({n}, least loaded first)",
    ),
    "act.spread.one": (
        "Fördela på sjuksköterskor i tjänst ({n} st, minst belastad först)",
        "Spread over present nurses ({n}, least loaded first)",
    ),
    "act.spread.label": ("sjuksköterskor i tjänst", "present nurses"),
    "act.spread.none": ("Ingen sjuksköterska i tjänst att fördela på", "No nurse present to spread over"),
    "act.other_person": ("Annan person … (skriv namnet)", "Someone else … (type the name)"),
    "act.other_person.title": ("Lägg över till person", "Reassign to a person"),
    "act.other_person.help": ("Skriv personens namn (eller en del av det).", "Type the person's name (or part of it)."),
    "plan.will.spread": ("läggs över till {person}", "reassigned to {person}"),
    "plan.skip.no_nurse": ("ingen sjuksköterska i tjänst i enheten", "no nurse present in the unit"),
    # -- H-L2 --
    # the alert bar: capped, all shown with A; Enter acts on an alert
    "alerts.more": ("och {n} till – A visar alla", "and {n} more – A shows all"),
    "alerts.act": ("Åtgärda", "Act"),
    "alerts.show": ("Visa alla larm", "Show all alerts"),
    "alerts.raised": ("höjd av försenat P1–2-ärende ({cases})", "raised by an overdue P1–2 case ({cases})"),
    "alerts.showing": ("Visar ärendena larmet gäller: {what}", "Showing the cases of the alert: {what}"),
    "alerts.nothing": (
        "Larmet gäller hela enheten: inga ärenden att visa",
        "The alert is about the whole unit: no cases to show",
    ),
    # the load panel: why a level is high when the ratio does not say so (domain.md §5)
    "load.raised_note": (
        "⚑ {units}: hög för att P1–2-ärende väntat för länge",
        "⚑ {units}: high because a P1–2 case has waited too long",
    ),
    # narrow panels name the columns they hide (bottom border); the panel tabs under 120 columns
    "layout.hidden": ("dolt: {cols}", "hidden: {cols}"),
    "layout.tabs": ("Tab: byt panel", "Tab: switch panel"),
    "hdr.more_units": ("… och {n} till", "… and {n} more"),
    "tab.absent": ("Ej i tjänst", "Not present"),
    "tab.roles": ("Ej schemalagd roll", "Unscheduled role"),
    "tab.overdue": ("Försenade", "Overdue"),
    "tab.load": ("Belastning", "Load"),
    # new critical findings, named
    "toast.new_critical.named": ("Nytt kritiskt fynd: {what}", "New critical finding: {what}"),
    "toast.new_critical.many": ("{n} nya kritiska fynd:\n{what}", "{n} new critical findings:\n{what}"),
    "toast.new_critical.rest": ("… och {n} till", "… and {n} more"),
    # -- H-G --
    # free text by the patient's name or number (audited)
    "filter.identity_logged": (
        "Sökning på patientens namn/personnummer: {n} ärende – loggat",
        "Search by the patient's name/number: {n} case – logged",
    ),
    "filter.identity_logged.n": (
        "Sökning på patientens namn/personnummer: {n} ärenden – loggat",
        "Search by the patient's name/number: {n} cases – logged",
    ),
    "filter.identity_not_logged": (
        "Sökningen på namn/personnummer kunde inte loggas: {why}",
        "The search by name/number could not be logged: {why}",
    ),
    "filter.identity_off": (
        "Namn och personnummer söks inte här: sökningen kan inte loggas (skrivskyddat/offline)",
        "Names and numbers are not searched here: the search cannot be logged (read-only/offline)",
    ),
    "audit.action.identity_search": ("Sökt på namn/personnummer", "Searched by name/number"),
    "audit.action.cosmic_documented": ("Dokumenterat i Cosmic", "Documented in Cosmic"),
    "audit.action.cosmic_undocumented": (
        "Tagit bort markeringen dokumenterat i Cosmic",
        "Removed the documented-in-Cosmic mark",
    ),
    # §11: documented in Cosmic (Skiftslut)
    "checklist.item.cosmic": (
        "Ärenden avslutade utan svar och överlämnade ärenden är journalförda i Cosmic (§11) – Enter visar dem",
        "Cases closed without an answer and handed-over cases are documented in Cosmic (§11) – Enter lists them",
    ),
    "checklist.short.cosmic": ("Journalfört i Cosmic", "Documented in Cosmic"),
    "cosmic.title": ("Journalföring i Cosmic (§11)", "Documentation in Cosmic (§11)"),
    "cosmic.help": (
        "Dagens ärenden som ska journalföras: avslutade utan svar, och överlämnade till annan personal "
        "eller annan verksamhet.",
        "Today's cases to document: closed without an answer, and handed over to another person or unit.",
    ),
    "cosmic.keys": (
        "x/mellanslag: markera journalfört (igen: ta bort) · Enter: ärendet · Esc: tillbaka",
        "x/space: mark documented (again: unmark) · Enter: the case · Esc: back",
    ),
    "cosmic.summary": ("{n} ärenden, {left} kvar att journalföra", "{n} cases, {left} left to document"),
    "cosmic.summary.one": ("1 ärende, {left} kvar att journalföra", "1 case, {left} left to document"),
    "cosmic.empty": ("Inga ärenden att journalföra i dag", "No cases to document today"),
    "cosmic.col.why": ("Varför", "Why"),
    "cosmic.col.at": ("Tid", "Time"),
    "cosmic.col.documented": ("Journalfört", "Documented"),
    "cosmic.documented": ("✓ {at} {who}", "✓ {at} {who}"),
    "cosmic.not_documented": ("ej journalfört", "not documented"),
    "cosmic.why.no_response": ("Avslutat utan svar", "Closed without an answer"),
    "cosmic.why.handed_over": ("Avslutat, överlämnat", "Closed, handed over"),
    "cosmic.why.moved": ("Avslutat, flyttat", "Closed, moved"),
    "cosmic.why.unit_handover": ("Överlämnat till annan verksamhet", "Handed over to another unit"),
    "cosmic.why.reassigned": ("Överlämnat till annan personal", "Handed over to another person"),
    "cosmic.denied": ("Markeringen sparades inte: {why}", "The mark was not saved: {why}"),
    "bind.cosmic_documented": ("Journalfört", "Documented"),
    # §14: the deviation draft for Synergi
    "bind.deviation": ("Avvikelse (Synergi)", "Deviation (Synergi)"),
    "bind.copy": ("Kopiera", "Copy"),
    "deviation.hint": (
        "⚑ Avvikelse ska rapporteras i Synergi (§14) – s visar ett färdigt utkast",
        "⚑ A deviation is to be reported in Synergi (§14) – s shows a ready draft",
    ),
    "deviation.title": ("Avvikelse för Synergi – {id}", "Deviation for Synergi – {id}"),
    "deviation.keys": (
        "c: kopiera (där terminalen tillåter) · markera texten med musen · Esc: tillbaka",
        "c: copy (where the terminal allows) · select the text with the mouse · Esc: back",
    ),
    "deviation.saved": ("Sparat: {path}", "Saved: {path}"),
    "deviation.not_saved": ("Utkastet kunde inte sparas: {why}", "The draft could not be saved: {why}"),
    "deviation.copied": (
        "Utkastet kopierat (fungerar det inte i din terminal: markera texten)",
        "Draft copied (if your terminal does not allow it: select the text)",
    ),
    "deviation.heading": ("Avvikelse – utkast för Synergi, ärende {id}", "Deviation – draft for Synergi, case {id}"),
    "deviation.no_url": (
        "(saknas – kopiera den från ärendet i Platform24)",
        "(missing – copy it from the case in Platform24)",
    ),
    "deviation.what": ("Vad hände:", "What happened:"),
    "deviation.case": (
        "Ärende {id} ({kind}, {prio}) på {unit}, inkom {at}.",
        "Case {id} ({kind}, {prio}) at {unit}, arrived {at}.",
    ),
    "deviation.closed": ("Avslutat {at} ({reason}).", "Closed {at} ({reason})."),
    "deviation.open": ("Ärendet är öppet ({status}).", "The case is open ({status})."),
    "deviation.close.resolved": ("besvarat", "resolved"),
    "deviation.close.no_response": ("utan svar från patienten", "no answer from the patient"),
    "deviation.close.handed_over": ("överlämnat", "handed over"),
    "deviation.close.moved": ("flyttat", "moved"),
    "deviation.close.ticket_sent": ("ärende skickat", "ticket sent"),
    "deviation.findings": ("Fynd i direkt-tui:", "Findings in direkt-tui:"),
    "deviation.timeline": ("När:", "When:"),
    "deviation.footer": (
        "Utkastet saknar patientens namn och personnummer; komplettera i Synergi enligt riktlinjen.",
        "The draft has no patient name or number; complete it in Synergi as the guideline says.",
    ),
    # the load panel's detail view (Enter on a unit): the load, the forecast's terms, the chart
    "load.title": ("Belastning – {unit}", "Load – {unit}"),
    "load.level": (
        "Nivå: {level} · kvot {ratio} väntande per vårdpersonal i tjänst",
        "Level: {level} · ratio {ratio} waiting per clinician present",
    ),
    "load.waiting": (
        "Väntar: P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4} · P5 {p5} · adm {adm} · i kö {queued} · pågår {active}"
        " · i riskzonen {risk}",
        "Waiting: P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4} · P5 {p5} · adm {adm} · queued {queued} · active {active}"
        " · at risk {risk}",
    ),
    "load.clinicians": ("Vårdpersonal i tjänst nu/senare i dag: {who}", "Clinicians present now/later today: {who}"),
    "load.forecast.title": ("Prognos vid stängning {close}", "Forecast at closing {close}"),
    "load.forecast.none": (
        "Ingen prognos: enheten har stängt för dagen.",
        "No forecast: the unit has closed for the day.",
    ),
    "load.forecast.terms": (
        "{backlog} väntar nu + {arrivals} väntas komma ({arrivals_method}) − {completions} hinner tas"
        " = {at_close} kvar vid stängning",
        "{backlog} waiting now + {arrivals} expected to arrive ({arrivals_method}) − {completions} taken in time"
        " = {at_close} left at closing",
    ),
    "load.forecast.extra": (
        "Det behövs {extra} vårdpersonaltimmar till för att ta det som personalen i schemat inte hinner.",
        "{extra} more clinician-hours would take what the scheduled clinicians cannot.",
    ),
    "load.forecast.enough": (
        "Personalen i schemat hinner med resten ({capacity} kan tas: {hours} vårdpersonaltimmar × {rate} per timme,"
        " {rate_method}).",
        "The scheduled clinicians can take the rest ({capacity} can be taken: {hours} clinician-hours × {rate} an hour,"
        " {rate_method}).",
    ),
    "load.forecast.clear": ("Inget väntas vara kvar vid stängning.", "Nothing is expected to be left at closing."),
    "load.method.history": ("samma veckodag 4 veckor", "same weekday, 4 weeks"),
    "load.method.today": ("i dag hittills", "today so far"),
    "load.method.none": ("inget att gå på", "nothing to go on"),
    "load.method.default": ("standardvärde", "default"),
    "load.method.recent": ("senaste 2 timmarna", "the last 2 hours"),
    "load.forecast.late": (
        "{late} av dem kommer inom en väntetid ({wait} h, {wait_method}) före stängning, {arrival_rate} per timme"
        " ({arrivals_method}): de väntar kvar hur många som än arbetar.",
        "{late} of them arrive within one wait ({wait} h, {wait_method}) of closing, {arrival_rate} an hour"
        " ({arrivals_method}): they are still waiting however many work.",
    ),
    "load.forecast.late_history": (
        "{late} väntar kvar vid stängning hur många som än arbetar, som samma veckodagar ({arrivals_method}):"
        " {arrivals} som kommer efter nu och {carried} av de {backlog} som väntar nu ({share} % hade kvar då).",
        "{late} are still waiting at closing however many work, as on the same weekdays ({arrivals_method}):"
        " {arrivals} arriving after now and {carried} of the {backlog} waiting now ({share} % were left then).",
    ),
    "load.forecast.capacity": (
        "Vårdpersonalen hinner inte ikapp: {capacity} kan tas ({hours} vårdpersonaltimmar × {rate} per timme,"
        " {rate_method}).",
        "The clinicians cannot keep up: {capacity} can be taken ({hours} clinician-hours × {rate} an hour,"
        " {rate_method}).",
    ),
    "load.forecast.naive_early": (
        "Enheten har haft öppet för kort tid i dag för en ankomsttakt: prognosen är att kön står kvar som nu.",
        "The unit has been open too briefly today for an arrival rate: the forecast is that the backlog stays as it is.",
    ),
    "load.forecast.naive": (
        "Inget att räkna väntetiden på än (färre än 5 tagna i dag): prognosen är att kön står kvar som nu.",
        "Too little to tell the wait yet (fewer than 5 taken today): the forecast is that the backlog stays as it is.",
    ),
    "forecast.unit_late": (
        "{unit} {n} väntar (hinns inte före stängning)",
        "{unit} {n} waiting (not reached by closing)",
    ),
    "load.chart.closed": ("Enheten har inte öppet i dag.", "The unit is not open today."),
    "load.chart.reading": ("Läser diagrammet …", "Reading the chart …"),
    "load.hint": ("Esc stänger · ? hjälp", "Esc closes · ? help"),
    "chart.today": ("i dag", "today"),
    "chart.typical": ("typisk dag", "typical day"),
    "chart.legend": (
        "Väntande vårdärenden per timme (ej mottagna): █ i dag, ░ {typical}",
        "Waiting care cases per hour (not yet taken): █ today, ░ {typical}",
    ),
    "chart.legend.typical": (
        "en typisk {weekday} ({n} av de senaste 4 veckorna)",
        "a typical {weekday} ({n} of the last 4 weeks)",
    ),
    "chart.legend.no_history": (
        "en typisk {weekday} (ingen historik i lagret än)",
        "a typical {weekday} (no history in the store yet)",
    ),
    "toast.at_risk": ("Nära gränsen (P1–2), kvar: {what}", "Near the limit (P1–2), left: {what}"),
    "weekday.0": ("måndag", "Monday"),
    "weekday.1": ("tisdag", "Tuesday"),
    "weekday.2": ("onsdag", "Wednesday"),
    "weekday.3": ("torsdag", "Thursday"),
    "weekday.4": ("fredag", "Friday"),
    "weekday.5": ("lördag", "Saturday"),
    "weekday.6": ("söndag", "Sunday"),
    "help.k.load_detail": (
        "på en enhet i belastningspanelen: belastning, prognos och diagram",
        "on a unit in the load panel: load, forecast and chart",
    ),
}


def t(key: str, lang: str = "sv", **kwargs: Any) -> str:
    """The text for ``key`` in ``lang`` (Swedish fallback), formatted with ``kwargs``. A count
    ``n`` of 1 takes the singular ``key + ".one"`` where the catalogue has one ("1 markerad",
    "2 markerade")."""
    entry = CATALOGUE.get(f"{key}.one") if kwargs.get("n") == 1 else None
    entry = entry or CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    if not kwargs:
        return text
    if ":hm}" not in text:
        return text.format(**kwargs)
    plain, hm = _hm_fields(text)
    if plain is None:  # a field this shortcut does not know: the general formatter
        return _Formatter(lang).format(text, **kwargs)
    texts = {}
    for name in hm:
        v = kwargs[name]
        # whole minutes (a finding's minutes and limit) once per value; ``True`` is not ``1`` here
        texts[f"{name}\x00hm"] = _duration_hm_int(v, lang) if type(v) is int else duration_hm(v, lang)
    return plain.format(**kwargs, **texts)


@cache
def _duration_hm_int(minutes: int, lang: str) -> str:
    return duration_hm(minutes, lang)


@cache
def _hm_fields(text: str) -> tuple[str | None, tuple[str, ...]]:
    """``text`` with each ``{name:hm}`` as a plain field of its own (``{name\\x00hm}``, given
    ``duration_hm(name)``) and those names: ``str.format`` is many times faster than
    ``string.Formatter`` (every finding's message goes through here). None: not only simple
    names carry ``:hm``."""
    import re

    names = tuple(dict.fromkeys(re.findall(r"\{(\w+):hm\}", text)))
    plain = re.sub(r"\{(\w+):hm\}", lambda m: "{" + m.group(1) + "\x00hm}", text)
    return (None, ()) if ":hm}" in plain or "{{" in text else (plain, names)


class _Formatter(string.Formatter):
    """``{minutes:hm}``: a number of minutes as hours and minutes (``duration_hm``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "hm":
            return duration_hm(value, self.lang)
        return super().format_field(value, format_spec)


def decimal(value: float, lang: str = "sv", digits: int = 1) -> str:
    """A number with ``digits`` decimals, with the decimal comma in Swedish (``8,5``)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "sv" else text


def duration_hm(minutes: Any, lang: str = "sv") -> str:
    """Minutes as people say them: ``45 min``, ``2 h``, ``25 h 30 min`` (never ``1530 min``).
    Takes a number or a number already written out (``"20,0"``)."""
    try:
        m = int(round(float(str(minutes).replace(",", "."))))
    except ValueError:
        return str(minutes)
    if abs(m) < 60:
        return t("duration.min", lang, m=m)
    h, rest = divmod(m, 60)
    return t("duration.hours", lang, h=h) if rest == 0 else t("duration.hours_min", lang, h=h, m=rest)


class Translator(Protocol):
    """``T(key, **kwargs)``: the catalogue bound to one language."""

    def __call__(self, key: str, **kwargs: Any) -> str: ...


@cache
def translator(lang: str = "sv") -> Translator:
    """The catalogue bound once per language: ``T = i18n.translator(lang); T("key", n=3)``."""

    def translate(key: str, **kwargs: Any) -> str:
        return t(key, lang, **kwargs)

    return translate


def profession_label(code: str | None, lang: str = "sv") -> str:
    return t(f"prof.{code}", lang) if code else "–"


# the English shapes of the sync's error messages (sync/client.py, sync/engine.py) and their
# Swedish wording; the facts (method, path, HTTP status, seconds, counts, server detail) are kept
_SYNC_SHAPES: tuple[tuple[str, str], ...] = (
    (r"\(gave up after (\d+) attempts\)", r"(gav upp efter \1 försök)"),
    (r"gave up after (\d+) attempts, outcome unknown:", r"gav upp efter \1 försök, utfallet okänt:"),
    (r", retry after ([\d.]+) s", r", försök igen om \1 s"),
    (r"no complete answer within the ([\d.]+) s deadline", r"inget fullständigt svar inom tidsgränsen \1 s"),
    (r"timed out \((\w+)\)", r"tidsgränsen överskreds (\1)"),
    (r"the cursor is gone", "markören finns inte längre"),
    (
        r"no API token is configured: set (\S+) or api\.token_file",
        r"ingen API-token är inställd: sätt \1 eller api.token_file",
    ),
    (
        r"the API token was refused: check (\S+) or api\.token_file",
        r"API-token nekades: kontrollera \1 eller api.token_file",
    ),
    (r"access denied: the credentials lack permission", "åtkomst nekad: behörigheten saknas"),
    (r"no time left for the request", "ingen tid kvar för anropet"),
    (r"the answer is not an object", "svaret är inte ett objekt"),
    (r": network error$", ": nätverksfel"),
)


def sync_error_text(message: str, lang: str = "sv") -> str:
    """A sync error as the coordinator reads it: in Swedish the message's English shape is
    reworded, its facts kept (``GET /capabilities: HTTP 503 (gav upp efter 2 försök)``)."""
    import re

    text = str(message)
    if lang == "en":
        return text
    for pattern, replacement in _SYNC_SHAPES:
        text = re.sub(pattern, replacement, text)
    return text


def profession_short(code: str | None, lang: str = "sv") -> str:
    """The short name nurses write (``ssk``, ``usk``, ``läk``); the full name for an unknown code."""
    if not code:
        return "–"
    return t(f"prof.short.{code}", lang) if f"prof.short.{code}" in CATALOGUE else profession_label(code, lang)


def priority_label(priority: int | None, lang: str = "sv") -> str:
    return t("prio.admin", lang) if priority is None else t("prio.n", lang, p=priority)
