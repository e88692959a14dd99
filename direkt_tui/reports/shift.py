"""Shift work over the local store: the findings log, load samples, checklist sign-offs, the
phone list's "called" marks, and the Markdown shift report for the next coordinator.

Writes happen in one transaction each; a sign-off and a call mark append their audit entry in
the same transaction as their row (as ``store.actions.enqueue`` does for writes), so a crash
can lose neither. Nothing here is ever sent to the platform.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
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


def _checklist_items(value: Any, lang: str) -> str:
    """A sign-off's items by their short names (``checklist.short.<id>``), with the cases
    still open behind an outstanding item; never the item ids."""

    def name(item: Any) -> str:
        key = f"checklist.short.{item}"
        text = i18n.t(key, lang)
        return str(item) if text == key else text

    if isinstance(value, Mapping):
        return _items_text({name(k): v for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return _items_text([name(v) for v in value])
    return _items_text(value)


def _subject_text(entry: Any, names: Mapping[str, str], lang: str) -> str:
    """What an action concerns, as ``audit list`` says it (the checklist's title, the cases of
    a batch), units by their names."""
    from .audit import _subject

    s = entry.subject
    if isinstance(s, Mapping) and s.get("units") and not s.get("checklist") and not s.get("cases"):
        return ", ".join(names.get(str(u), str(u)) for u in s["units"])
    text = _subject(entry, lang)
    return text or (json.dumps(s, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if s else "")


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
        cols: tuple[str, ...] = ("unit", "level", "last", "waiting", "ratio", "peak")
        out.append("| " + " | ".join(T(f"shift.load.col.{c}") for c in cols) + " |")
        out.append("|" + "---|" * len(cols))
        dec = "," if lang != "en" else "."
        for s in summaries:
            lv = lambda x: i18n.t(f"level.{x}", lang)  # noqa: E731
            ratio = f"{s.max_ratio:.2f}".replace(".", dec)
            out.append(
                f"| {_cell(names.get(s.unit_id, s.unit_id))} | {lv(s.min_level)}–{lv(s.max_level)} | "
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
    # information findings (after-hours arrivals, protected identity …) as counts per rule,
    # not one row each: a hundred rows of "Inkom utanför öppettid" hid what mattered
    info: dict[str, int] = {}
    for f in logged:
        if f.severity == "info":
            info[f.rule] = info.get(f.rule, 0) + 1
    listed = [f for f in logged if f.severity != "info"]
    if not logged:
        out.append(T("shift.findings.none"))
    else:
        out.append(T("shift.findings.summary", opened=n_opened, resolved=n_resolved))
        out.append("")
        if info:
            what = ", ".join(
                T("shift.findings.info.item", rule=i18n.t("rule." + r, lang), n=n) for r, n in sorted(info.items())
            )
            out.append(T("shift.findings.info", what=what))
            out.append("")
    if listed:
        out.append(
            f"| {T('shift.findings.col.opened')} | {T('shift.findings.col.resolved')} | "
            f"{'Allvar' if lang != 'en' else 'Severity'} | {i18n.t('col.rule', lang)} | "
            f"{i18n.t('col.unit', lang)} | {i18n.t('col.case', lang)} |"
        )
        out.append("|---|---|---|---|---|---|")
        for f in listed:
            resolved = _hm(f.resolved_at, zone) if f.resolved_at and f.resolved_at <= hi else T("shift.findings.open")
            opened = _hm(f.opened_at, zone, f.opened_at < lo)
            out.append(
                f"| {opened} | {resolved} | {i18n.t('sev.' + f.severity, lang)} | "
                f"{_cell(i18n.t('rule.' + f.rule, lang))} | {_cell(names.get(f.unit_id, f.unit_id))} | "
                f"{_cell(f.case_id)} |"
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
        from .audit import _action, _outcome

        for e in entries:
            out.append(
                f"| {_hm(e.at, zone)} | {_cell(e.actor)} | {_cell(_action(e, lang))} | "
                f"{_cell(_subject_text(e, names, lang))} | {_cell(_outcome(e, lang))} |"
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
                f"{_cell(_checklist_items(so.acknowledged, lang))} | {_cell(_checklist_items(so.outstanding, lang))} | "
                f"{_cell(', '.join(names.get(u, u) for u in so.unit_ids))} |"
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


def save_shift_report(text: str, folder: Path, at: datetime, zone: ZoneInfo) -> Path:
    """Write the shift report to ``folder`` (created 0700) as ``skiftrapport-YYYYMMDD-HHMM.md``
    in local time, the file 0600 (it names staff and cases); a second report in the same minute
    gets a suffix, so nothing written earlier is overwritten. Raises ``OSError``."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"skiftrapport-{at.astimezone(zone).strftime('%Y%m%d-%H%M')}"
    # written whole to a hidden file first, then linked under its name: a quit or a crash
    # mid-write never leaves half a report under a report's name
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", suffix=".part", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            path = folder / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: write it in place
                try:
                    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    continue
                with os.fdopen(out, "w", encoding="utf-8") as fh:
                    fh.write(text)
            return path
        raise FileExistsError(f"{folder}: too many reports named {stem}")
    finally:
        os.unlink(tmp)


__all__ = [
    "save_shift_report",
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
