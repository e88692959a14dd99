"""Shift work over the local store: the findings log, load samples, checklist sign-offs, the
phone list's "called" marks, and the Markdown shift report for the next coordinator.

Writes happen in one transaction each; a sign-off and a call mark append their audit entry in
the same transaction as their row (as ``store.actions.enqueue`` does for writes), so a crash
can lose neither. Nothing here is ever sent to the platform.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from ..domain.checklists import KINDS
from ..domain.rules import LEVELS, RULE_RANK, SEVERITY_RANK, Evaluation
from ..domain.timeutil import to_store
from . import actions
from .actions import _canon
from .connection import durable
from .db import Store
from .rows import parse_instant

DEFAULT_TZ = "Europe/Stockholm"


# -- the findings log ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LoggedFinding:
    rule: str
    unit_id: str
    case_id: str | None
    severity: str
    opened_at: datetime
    resolved_at: datetime | None


def record_findings(store: Store, at: datetime, evaluation: Evaluation) -> tuple[int, int]:
    """Keep ``finding_log`` in step with ``evaluation``, in one transaction.

    A row opens when a finding's identity (rule, unit_id, case_id or '') appears and gets its
    ``resolved_at`` when the identity is gone. Only the evaluated units are touched (an
    evaluation restricted by ``--unit`` resolves nothing elsewhere). A finding still present
    keeps its row; its severity follows the newest evaluation. Returns (opened, resolved)."""
    units = set(evaluation.units)
    current: dict[tuple[str, str, str], str] = {}
    for f in evaluation.findings:
        current[(f.rule, f.unit_id, f.case_id or "")] = f.severity
    stamp = cast(str, to_store(at))
    opened = resolved = 0
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT rule, unit_id, case_id, severity, opened_at FROM finding_log WHERE resolved_at IS NULL"
        ).fetchall()
        open_keys: dict[tuple[str, str, str], tuple[str, str]] = {}
        for rule, uid, cid, sev, opened_at in rows:
            open_keys[(rule, uid, cid)] = (sev, opened_at)
        for key, (sev, opened_at) in open_keys.items():
            if key[1] not in units:
                continue
            if key not in current:
                # never before the row opened (an evaluation of an earlier instant)
                conn.execute(
                    "UPDATE finding_log SET resolved_at = ? WHERE rule = ? AND unit_id = ? AND case_id = ? "
                    "AND opened_at = ?",
                    (max(stamp, opened_at), *key, opened_at),
                )
                resolved += 1
            elif current[key] != sev:
                conn.execute(
                    "UPDATE finding_log SET severity = ? WHERE rule = ? AND unit_id = ? AND case_id = ? "
                    "AND opened_at = ?",
                    (current[key], *key, opened_at),
                )
        new = [(*key, sev, stamp) for key, sev in current.items() if key not in open_keys]
        if new:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO finding_log (rule, unit_id, case_id, severity, opened_at) "
                "VALUES (?, ?, ?, ?, ?)",
                new,
            )
            opened = conn.total_changes - before
    return opened, resolved


def finding_log(
    store: Store, since: datetime | None = None, until: datetime | None = None, unit_ids: Iterable[str] | None = None
) -> list[LoggedFinding]:
    """Rows opened or resolved within [since, until] (all rows without bounds), by opened_at."""
    lo = to_store(since) if since else ""
    hi = to_store(until) if until else "9999"
    rows = store.conn.execute(
        "SELECT rule, unit_id, case_id, severity, opened_at, resolved_at FROM finding_log "
        "WHERE (opened_at >= ? AND opened_at <= ?) OR (resolved_at >= ? AND resolved_at <= ?) "
        "ORDER BY opened_at, unit_id, rule, case_id",
        (lo, hi, lo, hi),
    ).fetchall()
    wanted = set(unit_ids) if unit_ids is not None else None
    out = [
        LoggedFinding(r[0], r[1], r[2] or None, r[3], parse_instant(r[4]), parse_instant(r[5]))
        for r in rows
        if wanted is None or r[1] in wanted
    ]
    out.sort(
        key=lambda f: (
            f.opened_at,
            SEVERITY_RANK.get(f.severity, 9),
            f.unit_id,
            f.case_id or "",
            RULE_RANK.get(f.rule, 99),
        )
    )
    return out


def open_logged_findings(store: Store) -> list[LoggedFinding]:
    rows = store.conn.execute(
        "SELECT rule, unit_id, case_id, severity, opened_at, resolved_at FROM finding_log "
        "WHERE resolved_at IS NULL ORDER BY opened_at, unit_id, rule, case_id"
    ).fetchall()
    return [LoggedFinding(r[0], r[1], r[2] or None, r[3], parse_instant(r[4]), None) for r in rows]


# -- load samples -------------------------------------------------------------------------------
def record_loads(store: Store, at: datetime, evaluation: Evaluation) -> None:
    """One ``load_history`` sample per evaluated unit at the minute of ``at`` (a second
    evaluation within the same minute replaces the sample)."""
    minute = at.astimezone(UTC).replace(second=0, microsecond=0)
    store.record_load(minute, [(uid, st.load) for uid, st in evaluation.units.items()])


@dataclass(frozen=True)
class LoadSummary:
    unit_id: str
    samples: int
    min_level: str
    max_level: str
    last_level: str
    min_waiting: int
    max_waiting: int
    last_waiting: int
    max_ratio: float
    peak_at: datetime  # first sample with the highest level (then the most waiting)


def load_summary(store: Store, unit_id: str, since: datetime, until: datetime) -> LoadSummary | None:
    rows = store.conn.execute(
        "SELECT at, level, ratio, waiting FROM load_history WHERE unit_id = ? AND at >= ? AND at <= ? ORDER BY at",
        (unit_id, to_store(since), to_store(until)),
    ).fetchall()
    if not rows:
        return None
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    levels = [rank.get(r[1], 0) for r in rows]
    waiting = [r[3] for r in rows]
    peak = max(range(len(rows)), key=lambda i: (levels[i], waiting[i], -i))
    return LoadSummary(
        unit_id,
        len(rows),
        LEVELS[min(levels)],
        LEVELS[max(levels)],
        rows[-1][1],
        min(waiting),
        max(waiting),
        waiting[-1],
        max(r[2] for r in rows),
        parse_instant(rows[peak][0]),
    )


# -- checklist sign-offs ------------------------------------------------------------------------
@dataclass(frozen=True)
class SignOff:
    id: int
    checklist: str
    unit_ids: list[str]
    signed_by: str
    signed_at: datetime
    acknowledged: Any
    outstanding: Any


def sign_off(
    store: Store,
    at: datetime,
    checklist: str,
    unit_ids: Sequence[str],
    signed_by: str,
    acknowledged: Any,
    outstanding: Any,
) -> int:
    """Record a signed checklist and its audit entry (action ``checklist_sign_off``) in one
    transaction. ``acknowledged`` / ``outstanding`` are JSON values (e.g. item ids, or
    ``{item_id: [case ids]}``); they must not carry patient data. Returns the row id."""
    if checklist not in KINDS:
        raise ValueError(f"unknown checklist {checklist!r} (one of {', '.join(KINDS)})")
    if not signed_by or not signed_by.strip():
        raise ValueError("a sign-off needs the name of who signs")
    units = sorted(set(unit_ids))
    with store.lock, durable(store), store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO checklist_signoffs (checklist, unit_ids, signed_by, signed_at, acknowledged, outstanding) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (checklist, _canon(units), signed_by, to_store(at), _canon(acknowledged), _canon(outstanding)),
        )
        row_id = int(cur.lastrowid)  # type: ignore[arg-type]
        actions._append(
            conn,
            at,
            signed_by,
            "checklist_sign_off",
            {"checklist": checklist, "units": units, "signoff": row_id},
            {"acknowledged": acknowledged, "outstanding": outstanding},
            "ok",
        )
    return row_id


def signoffs(store: Store, since: datetime | None = None, until: datetime | None = None) -> list[SignOff]:
    lo = to_store(since) if since else ""
    hi = to_store(until) if until else "9999"
    rows = store.conn.execute(
        "SELECT id, checklist, unit_ids, signed_by, signed_at, acknowledged, outstanding FROM checklist_signoffs "
        "WHERE signed_at >= ? AND signed_at <= ? ORDER BY signed_at, id",
        (lo, hi),
    ).fetchall()
    return [
        SignOff(r[0], r[1], json.loads(r[2]), r[3], parse_instant(r[4]), json.loads(r[5]), json.loads(r[6]))
        for r in rows
    ]


# -- "called" marks of the phone list -----------------------------------------------------------
@dataclass(frozen=True)
class CallMark:
    case_id: str
    called_at: datetime
    note: str | None
    called_by: str | None


def mark_called(store: Store, case_id: str, at: datetime, note: str | None = None, by: str | None = None) -> None:
    """Mark a case's patient as called (one mark per case; a new mark replaces the old one).
    Local only — never sent anywhere. The audit entry names the case, not the note (the note is
    free text and may hold patient details)."""
    with store.lock, durable(store), store.transaction() as conn:
        conn.execute(
            "INSERT INTO call_marks (case_id, called_at, note, called_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(case_id) DO UPDATE SET called_at = excluded.called_at, note = excluded.note, "
            "called_by = excluded.called_by",
            (case_id, to_store(at), note, by),
        )
        actions._append(conn, at, by or "direkt-tui", "call_mark", {"case": case_id}, {}, "ok")


def clear_call_mark(store: Store, case_id: str, at: datetime, by: str | None = None) -> bool:
    """Remove a case's mark (a mis-click). Returns False when there was none."""
    with store.lock, durable(store), store.transaction() as conn:
        n = conn.execute("DELETE FROM call_marks WHERE case_id = ?", (case_id,)).rowcount
        if n:
            actions._append(conn, at, by or "direkt-tui", "call_unmark", {"case": case_id}, {}, "ok")
    return bool(n)


def call_marks(store: Store) -> dict[str, CallMark]:
    """Every mark by case id (works on a read-only store)."""
    return {
        r[0]: CallMark(r[0], parse_instant(r[1]), r[2], r[3])
        for r in store.conn.execute("SELECT case_id, called_at, note, called_by FROM call_marks")
    }


# -- documented in Cosmic (§11) -----------------------------------------------------------------
COSMIC_REASONS = ("no_response", "handed_over", "moved", "unit_handover", "reassigned")


@dataclass(frozen=True)
class CosmicCase:
    """A case §11 asks to be documented in Cosmic: closed without an answer (``no_response``),
    closed as handed over or moved (``handed_over``, ``moved``), handed over to another unit
    (``unit_handover``) or from one person to another person or a profession's queue
    (``reassigned``) — and whether it has been marked as documented."""

    case_id: str
    unit_id: str
    why: str
    at: datetime
    documented_at: datetime | None = None
    documented_by: str | None = None

    @property
    def documented(self) -> bool:
        return self.documented_at is not None


def cosmic_cases(
    store: Store, since: datetime, until: datetime, unit_ids: Iterable[str] | None = None
) -> list[CosmicCase]:
    """The cases of [since, until] (today's) to document in Cosmic, each once (its first
    reason in :data:`COSMIC_REASONS` order), by the time it happened. No patient data."""
    lo, hi = to_store(since), to_store(until)
    found: dict[str, tuple[str, str, str]] = {}  # case id -> (unit, why, at)

    def add(rows: Iterable[Sequence[Any]], why: str | None = None) -> None:
        for r in rows:
            cid, uid, reason, at = r[0], r[1], why or r[2], r[3]
            if cid not in found or COSMIC_REASONS.index(reason) < COSMIC_REASONS.index(found[cid][1]):
                found[cid] = (uid, reason, at)

    conn = store.conn
    with store.lock:
        add(
            conn.execute(
                "SELECT id, unit_id, close_reason, closed_at FROM cases WHERE status = 'closed' "
                "AND close_reason IN ('no_response', 'handed_over', 'moved') AND closed_at >= ? AND closed_at <= ?",
                (lo, hi),
            ).fetchall()
        )
        add(
            conn.execute(
                "SELECT id, unit_id, NULL, json_extract(handover, '$.requested_at') FROM cases "
                "WHERE handover IS NOT NULL AND json_extract(handover, '$.requested_at') >= ? "
                "AND json_extract(handover, '$.requested_at') <= ?",
                (lo, hi),
            ).fetchall(),
            "unit_handover",
        )
        # a person held the case before, and someone else (or a profession's queue) holds it since today
        add(
            conn.execute(
                "SELECT DISTINCT c.id, c.unit_id, NULL, c.owner_since FROM cases c JOIN case_history h ON h.id = c.id "
                "WHERE c.owner_since >= ? AND c.owner_since <= ? AND h.owner_type = 'person' "
                "AND h.owner_staff_id IS NOT NULL AND h.version < c.version "
                "AND (c.owner_type IS NOT 'person' OR c.owner_staff_id IS NOT h.owner_staff_id)",
                (lo, hi),
            ).fetchall(),
            "reassigned",
        )
        marks = {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT case_id, documented_at, documented_by FROM cosmic_marks").fetchall()
        }
    wanted = set(unit_ids) if unit_ids is not None else None
    out = []
    for cid, (uid, why, at) in found.items():
        if wanted is not None and uid not in wanted:
            continue
        mark = marks.get(cid)
        out.append(
            CosmicCase(
                cid, uid, why, parse_instant(at), parse_instant(mark[0]) if mark else None, mark[1] if mark else None
            )
        )
    out.sort(key=lambda c: (c.at, c.case_id))
    return out


def mark_cosmic(store: Store, case_id: str, at: datetime, by: str, why: str | None = None) -> None:
    """Mark a case as documented in Cosmic, with its audit entry (``cosmic_documented``), in
    one transaction. A second mark keeps the first (who documented it, and when)."""
    if not by or not by.strip():
        raise ValueError("a Cosmic mark needs the name of who marks it")
    with store.lock, durable(store), store.transaction() as conn:
        n = conn.execute(
            "INSERT OR IGNORE INTO cosmic_marks (case_id, documented_at, documented_by) VALUES (?, ?, ?)",
            (case_id, to_store(at), by),
        ).rowcount
        if n:
            actions._append(conn, at, by, "cosmic_documented", {"case": case_id}, {"why": why} if why else {}, "ok")


def clear_cosmic_mark(store: Store, case_id: str, at: datetime, by: str) -> bool:
    """Take a Cosmic mark back (a mis-key), audited (``cosmic_undocumented``). False: none."""
    with store.lock, durable(store), store.transaction() as conn:
        n = conn.execute("DELETE FROM cosmic_marks WHERE case_id = ?", (case_id,)).rowcount
        if n:
            actions._append(conn, at, by, "cosmic_undocumented", {"case": case_id}, {}, "ok")
    return bool(n)


# -- the shift report ---------------------------------------------------------------------------
