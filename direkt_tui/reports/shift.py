"""Shift work over the local store: the findings log, load samples, checklist sign-offs, the
phone list's "called" marks, and the Markdown shift report for the next coordinator.

Writes happen in one transaction each; a sign-off and a call mark append their audit entry in
the same transaction as their row (as ``store.actions.enqueue`` does for writes), so a crash
can lose neither. Nothing here is ever sent to the platform.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import i18n
from ..domain.models import Snapshot
from ..domain.report import render_markdown
from ..domain.rules import Evaluation
from ..domain.text import markdown
from ..store import actions
from ..store.db import Store
from ..store.shiftlog import (  # noqa: F401 - the shift log's API, re-exported for callers
    DEFAULT_TZ,
    CallMark,
    LoadSummary,
    LoggedFinding,
    SignOff,
    call_marks,
    clear_call_mark,
    finding_log,
    load_summary,
    mark_called,
    open_logged_findings,
    record_findings,
    record_loads,
    sign_off,
    signoffs,
)


def _cell(value: Any) -> str:
    """A table cell: literal text on one line (``domain.text.markdown``: visible controls, no
    Markdown syntax), "–" when empty."""
    return "–" if value is None or value == "" else markdown(value)


def _hm(t: datetime | None, zone: ZoneInfo, with_date: bool = False) -> str:
    if t is None:
        return "–"
    local = t.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def _items_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():
            if isinstance(v, (list, tuple)) and v:
                parts.append(f"{k} ({', '.join(map(str, v))})")
            elif isinstance(v, (list, tuple)):
                parts.append(str(k))
            else:
                parts.append(f"{k}: {v}")
        return ", ".join(parts) or "–"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "–"
    return str(value)


def _subject_text(subject: Any) -> str:
    if isinstance(subject, Mapping):
        parts = []
        for key in ("case", "checklist", "batch"):
            if subject.get(key):
                parts.append(f"{key} {subject[key]}" if key == "batch" else str(subject[key]))
        for key in ("cases", "units"):
            if subject.get(key):
                parts.append(", ".join(map(str, subject[key])))
        return "; ".join(parts) or json.dumps(subject, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(subject)


def shift_report_markdown(
    store: Store, evaluation: Evaluation, snapshot: Snapshot, since: datetime, until: datetime, lang: str = "sv"
) -> str:
    """The shift report for the next coordinator (Swedish by default): load over the shift per
    unit, findings opened and resolved in [since, until], actions taken (audit), checklist
    sign-offs, patients called, and what is still open now (``domain.report.render_markdown``
    of the current evaluation, its headings one level down)."""
    T = i18n.translator(lang)
    units = list(evaluation.units.values())
    tz = units[0].unit.timezone if units else DEFAULT_TZ
    zone = ZoneInfo(tz)
    unit_ids = [st.unit.id for st in units]
    wanted = set(unit_ids)
    names = {u.id: u.name for u in snapshot.units}
    out: list[str] = []
    out.append(f"# {T('shift.title')} – {_hm(since, zone, True)[:10]}")
    out.append("")
    out.append(
        T("shift.for_next") + " " + T("shift.period", since=_hm(since, zone, True), until=_hm(until, zone, True))
    )
    out.append("")
    # the audit chain's head, anchored on paper: `audit verify --anchor N:HASH` proves it later
    head_seq, _ = actions.audit_head(store)
    out.append(i18n.t("audit.head.report", lang, seq=head_seq, anchor=actions.head_anchor(store)))
    out.append("")

    # -- load --
    out.append(f"## {T('shift.load')}")
    out.append("")
    summaries = [s for s in (load_summary(store, uid, since, until) for uid in unit_ids) if s is not None]
    if not summaries:
        out.append(T("shift.load.none"))
    else:
        cols: tuple[str, ...] = ("unit", "samples", "level", "last", "waiting", "ratio", "peak")
        out.append("| " + " | ".join(T(f"shift.load.col.{c}") for c in cols) + " |")
        out.append("|" + "---|" * len(cols))
        dec = "," if lang != "en" else "."
        for s in summaries:
            lv = lambda x: i18n.t(f"level.{x}", lang)  # noqa: E731
            ratio = f"{s.max_ratio:.2f}".replace(".", dec)
            out.append(
                f"| {_cell(names.get(s.unit_id, s.unit_id))} | {s.samples} | {lv(s.min_level)}–{lv(s.max_level)} | "
                f"{lv(s.last_level)} | {s.min_waiting}/{s.max_waiting}/{s.last_waiting} | "
                f"{ratio} | {_hm(s.peak_at, zone)} |"
            )
    out.append("")

    # -- findings opened and resolved --
    out.append(f"## {T('shift.findings')}")
    out.append("")
    logged = finding_log(store, since, until, wanted)
    lo, hi = since, until
    n_opened = sum(1 for f in logged if lo <= f.opened_at <= hi)
    n_resolved = sum(1 for f in logged if f.resolved_at is not None and lo <= f.resolved_at <= hi)
    if not logged:
        out.append(T("shift.findings.none"))
    else:
        out.append(T("shift.findings.summary", opened=n_opened, resolved=n_resolved))
        out.append("")
        out.append(
            f"| {T('shift.findings.col.opened')} | {T('shift.findings.col.resolved')} | "
            f"{'Allvar' if lang != 'en' else 'Severity'} | {i18n.t('col.rule', lang)} | "
            f"{i18n.t('col.unit', lang)} | {i18n.t('col.case', lang)} |"
        )
        out.append("|---|---|---|---|---|---|")
        for f in logged:
            resolved = _hm(f.resolved_at, zone) if f.resolved_at and f.resolved_at <= hi else T("shift.findings.open")
            opened = _hm(f.opened_at, zone, f.opened_at < lo)
            out.append(
                f"| {opened} | {resolved} | {i18n.t('sev.' + f.severity, lang)} | "
                f"{_cell(i18n.t('rule.' + f.rule, lang))} | {_cell(f.unit_id)} | {_cell(f.case_id)} |"
            )
    out.append("")

    # -- actions (audit) --
    out.append(f"## {T('shift.actions')}")
    out.append("")
    entries = [e for e in actions.audit_entries(store) if since <= e.at <= until]
    if not entries:
        out.append(T("shift.actions.none"))
    else:
        cols = ("time", "actor", "action", "subject", "outcome")
        out.append("| " + " | ".join(T(f"shift.actions.col.{c}") for c in cols) + " |")
        out.append("|" + "---|" * len(cols))
        for e in entries:
            key = "audit.action." + e.action
            label = i18n.t(key, lang)
            out.append(
                f"| {_hm(e.at, zone)} | {_cell(e.actor)} | {_cell(e.action if label == key else label)} | "
                f"{_cell(_subject_text(e.subject))} | {_cell(e.outcome)} |"
            )
    out.append("")

    # -- checklists --
    out.append(f"## {T('shift.checklists')}")
    out.append("")
    signed = [s for s in signoffs(store, since, until) if not s.unit_ids or wanted.intersection(s.unit_ids)]
    if not signed:
        out.append(T("shift.checklists.none"))
    else:
        cols = ("list", "by", "ack", "outstanding")
        out.append(
            f"| {T('shift.actions.col.time')} | "
            + " | ".join(T(f"shift.checklists.col.{c}") for c in cols)
            + f" | {i18n.t('col.unit', lang)} |"
        )
        out.append("|" + "---|" * (len(cols) + 2))
        for so in signed:
            out.append(
                f"| {_hm(so.signed_at, zone)} | {_cell(i18n.t('checklist.' + so.checklist, lang))} | {_cell(so.signed_by)} | "
                f"{_cell(_items_text(so.acknowledged))} | {_cell(_items_text(so.outstanding))} | "
                f"{_cell(', '.join(so.unit_ids))} |"
            )
    out.append("")

    # -- calls made (fallback routine) --
    marks = [m for m in call_marks(store).values() if since <= m.called_at <= until]
    if marks:
        out.append(f"## {T('shift.calls')}")
        out.append("")
        out.append(
            f"| {T('calllist.col.called_at')} | {T('calllist.col.case')} | {T('calllist.col.called_by')} | "
            f"{T('calllist.col.note')} |"
        )
        out.append("|---|---|---|---|")
        for m in sorted(marks, key=lambda m: (m.called_at, m.case_id)):
            out.append(f"| {_hm(m.called_at, zone)} | {_cell(m.case_id)} | {_cell(m.called_by)} | {_cell(m.note)} |")
        out.append("")

    # -- still open: the current state --
    out.append(f"## {T('shift.open_now')} ({_hm(evaluation.at, zone, True)})")
    out.append("")
    current = render_markdown(evaluation, snapshot, lang).splitlines()
    if current and current[0].startswith("# "):
        current = current[1:]  # its title: this section's heading says it
    for line in current:
        out.append("#" + line if line.startswith("#") else line)
    return "\n".join(out).rstrip() + "\n"


__all__ = [
    "shift_report_markdown",
    "LoggedFinding",
    "record_findings",
    "finding_log",
    "open_logged_findings",
    "record_loads",
    "LoadSummary",
    "load_summary",
    "SignOff",
    "sign_off",
    "signoffs",
    "CallMark",
    "mark_called",
    "clear_call_mark",
    "call_marks",
]
