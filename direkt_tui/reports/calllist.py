"""``direkt-tui calllist`` — the fallback routine's phone list on paper (domain.md §8, cli.md).

Reads the store read-only (nothing is fetched, nothing written), evaluates the rules at
``--at`` (default: now) and prints whom to call now (the support contact and its configured
number), how old the data is, and the patients to phone, most urgent first, with their phone
numbers — never for protected identity ("hämta kontaktuppgift i Cosmic") — and the "called"
marks made in the application. ``--format markdown`` (default) or ``csv`` (a header row, UTF-8).
Text from the platform is data: every Markdown cell goes through ``domain.text.markdown``
(visible controls, no Markdown syntax), every CSV cell through ``domain.text.csv_cell``
(visible controls, no cell starts a formula).

Exit 0; 2 with one line on stderr for a missing or unreadable store or an unknown unit.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .. import i18n
from ..config import Config, default_db_path
from ..domain.fallback import CallEntry, SupportContact, phone_list, snapshot_age_text, support_contact
from ..domain.models import Snapshot
from ..domain.rules import RuleEngine
from ..domain.text import csv_cell, markdown, markdown_masked
from .shift import CallMark, call_marks

DEFAULT_TZ = "Europe/Stockholm"
EXIT_USAGE = 2


class CallListError(Exception):
    """Reported as one line on stderr, exit 2."""


# the columns of a call-list entry, in the order of both the Markdown and the CSV list
_ENTRY_COLS = ("prio", "case", "unit", "status", "owner", "patient", "pnr", "phone", "reason", "findings")


def _who_and_where(e, lang: str, patient: str) -> tuple:
    """The middle columns of a phone-list row, the same in Markdown and CSV."""
    return (
        i18n.priority_label(e.priority, lang),
        e.case_id,
        e.unit_name,
        i18n.t(f"status.{e.status}", lang),
        e.owner_text,
        patient,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _cell(value: Any) -> str:
    """A Markdown table cell: literal text on one line (``domain.text.markdown``), "–" when empty."""
    return "–" if value is None or value == "" else markdown(value)


def _findings_text(e: CallEntry, lang: str) -> str:
    return ", ".join(dict.fromkeys(i18n.t(f"badge.{f.rule}", lang) for f in e.findings))


def _called_text(m: CallMark | None, zone: ZoneInfo, lang: str) -> str:
    if m is None:
        return "[ ]"
    t = m.called_at.astimezone(zone).strftime("%H:%M")
    return f"[x] {t}" + (f" {markdown(m.called_by)}" if m.called_by else "")


def render_markdown(
    entries: Sequence[CallEntry],
    contact: SupportContact,
    phone: str | None,
    snap: Snapshot,
    at: datetime,
    marks: Mapping[str, CallMark],
    unit_names: Sequence[str],
    tz: str = DEFAULT_TZ,
    lang: str = "sv",
    fetched_at: datetime | None = None,
) -> str:
    """``fetched_at``: looking back (``at`` before the last fetch) – the cases are as they were
    at ``at`` (their history in the store) and the last fetch is named, not an age."""
    T = i18n.translator(lang)
    zone = ZoneInfo(tz)
    out: list[str] = []
    out.append(f"# {T('calllist.title')}")
    out.append("")
    out.append(
        T("calllist.printed", time=at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
        + ". "
        + f"{T('calllist.units')}: "
        + (", ".join(markdown(n) for n in unit_names) or "–")
        + "."
    )
    out.append("")
    number = markdown(phone) if phone else T("fallback.no_number")
    # when the guideline is silent the note below says so: the reason would say it a second time
    reason = "" if contact.guideline_silent else f" – {contact.reason(lang)}"
    out.append(f"**{T('fallback.call_now')}: {contact.label(lang)} – {number}**{reason}")
    if contact.guideline_silent:
        out.append("")
        out.append(f"> {T('fallback.silent_note')}")
    out.append("")
    if fetched_at is not None:
        out.append(
            T(
                "calllist.data.as_at",
                time=at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                fetched=fetched_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )
        )
    else:
        out.append(snapshot_age_text(snap, at, zone, lang))
    out.append("")
    if not entries:
        out.append(T("calllist.empty"))
        return "\n".join(out).rstrip() + "\n"
    out.append(T("calllist.order"))
    out.append("")
    cols = ("rank", "called", *_ENTRY_COLS)
    out.append("| " + " | ".join(T(f"calllist.col.{c}") for c in cols) + " |")
    out.append("|" + "---|" * len(cols))
    protected = T("fallback.protected")
    for e in entries:
        if e.protected_identity:
            patient, pnr, phone_text = T("fallback.protected_patient"), "–", protected
        else:
            patient, pnr, phone_text = e.patient_name or "", e.personnummer_masked or "", e.patient_phone or ""
        called = _called_text(marks.get(e.case_id), zone, lang)  # "[ ]" / "[x] 14:05 …" as written: no link
        masked = markdown_masked(pnr) if pnr and pnr != "–" else "–"  # its "****" as written: no emphasis
        row = (
            [_cell(e.rank), called]
            + [_cell(v) for v in _who_and_where(e, lang, patient)]
            + [masked]
            + [_cell(v) for v in (phone_text, e.reason, _findings_text(e, lang))]
        )
        out.append("| " + " | ".join(row) + " |")
    notes = [(e, marks[e.case_id]) for e in entries if e.case_id in marks and marks[e.case_id].note]
    if notes:
        out.append("")
        out.append(f"**{T('calllist.col.note')}**")
        out.append("")
        for e, m in notes:
            out.append(f"- {e.case_id}: {_cell(m.note)}")
    return "\n".join(out).rstrip() + "\n"


def render_csv(
    entries: Sequence[CallEntry], marks: Mapping[str, CallMark], tz: str = DEFAULT_TZ, lang: str = "sv"
) -> str:
    """One header row, then one row per patient in the list's order."""
    T = i18n.translator(lang)
    zone = ZoneInfo(tz)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    cols = ("rank", *_ENTRY_COLS, "arrived", "called", "called_at", "called_by", "note")
    w.writerow([csv_cell(T(f"calllist.col.{c}")) for c in cols])
    protected = T("fallback.protected")
    yes = T("fallback.called")
    for e in entries:
        m = marks.get(e.case_id)
        if e.protected_identity:
            patient, pnr, phone_text = T("fallback.protected_patient"), "", protected
        else:
            patient, pnr, phone_text = e.patient_name or "", e.personnummer_masked or "", e.patient_phone or ""
        w.writerow(
            [
                csv_cell(v)
                for v in (
                    e.rank,
                    *_who_and_where(e, lang, patient),
                    pnr,
                    phone_text,
                    e.reason or "",
                    _findings_text(e, lang),
                    e.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    yes if m else "",
                    m.called_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if m else "",
                    (m.called_by or "") if m else "",
                    (m.note or "") if m else "",
                )
            ]
        )
    return buf.getvalue()


def build(
    store: Any, cfg: Config, at: datetime, unit_ids: Sequence[str] | None, lang: str, fmt: str = "markdown"
) -> str:
    """The phone list's text from an open store (read-only is enough). An ``at`` before the last
    fetch looks back: the cases as they were then (their history in the store), as ``report``."""
    fetched = store.data_as_of()
    looking_back = fetched is not None and at < fetched - timedelta(minutes=1)
    snap = store.snapshot_at(at) if looking_back else store.snapshot(around=at)
    known = {u.id for u in snap.units}
    for uid in unit_ids or ():
        if uid not in known:
            raise CallListError(f"unknown unit {uid!r} (the store has: {', '.join(sorted(known)) or 'none'})")
    marks = call_marks(store)
    engine = RuleEngine(cfg.params_for, lang=lang)
    ev = engine.evaluate(snap, at, unit_ids or None)
    entries = phone_list(ev, snap, lang)
    units = [st.unit for st in ev.units.values()]
    tz = units[0].timezone if units else DEFAULT_TZ
    if fmt == "csv":
        return render_csv(entries, marks, tz, lang)
    contact = support_contact(at, tz)
    return render_markdown(
        entries,
        contact,
        contact.phone(cfg.fallback),
        snap,
        at,
        marks,
        [u.name for u in units],
        tz,
        lang,
        fetched_at=fetched if looking_back else None,
    )


def run_calllist(args: argparse.Namespace, cfg: Config) -> int:
    """``direkt-tui calllist [--db] [--at] [--unit ...] [--format markdown|csv] [--lang]``."""
    from ..store.db import Store, StoreError

    db = getattr(args, "db", None) or default_db_path()
    at = getattr(args, "at", None) or _now()
    lang = getattr(args, "lang", None) or cfg.ui.lang
    fmt = getattr(args, "format", None) or "markdown"
    try:
        store = Store(db, read_only=True)
    except StoreError as exc:
        print(f"direkt-tui calllist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with store:
            text = build(store, cfg, at, getattr(args, "unit", None), lang, fmt)
            skipped = store.skipped_text()  # rows an older version stored that cannot be used
    except CallListError as exc:
        print(f"direkt-tui calllist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:  # a store that breaks while reading: one line, exit 2
        print(f"direkt-tui calllist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # never quoting the damaged text
        from ..faults import fault_text

        print(f"direkt-tui calllist: error: {fault_text(exc, db)}", file=sys.stderr)
        return EXIT_USAGE
    from ..faults import write_all

    write_all(sys.stdout.buffer, text.encode("utf-8"))  # a full disk under stdout: one line, exit 2 (cli.py)
    if skipped:
        print(f"direkt-tui: warning: {skipped}", file=sys.stderr)
    return 0
