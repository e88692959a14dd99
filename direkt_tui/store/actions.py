"""The outbox of writes to the platform and the audit chain.

Every write the coordinator asks for becomes an outbox row (a UUID ``Idempotency-Key``, the
request body with ``if_version``) written in the same transaction as its audit entry, so a
crash can lose neither. The sender (``sync.outbox``) delivers rows and records outcomes here.

The audit table is append-only (triggers refuse UPDATE and DELETE) and each entry carries the
SHA-256 of its content and of the previous entry's hash: :func:`audit_verify` finds an edited
entry (its hash no longer matches), a removed one (a gap in ``seq`` or a broken link) and a
truncated tail (the head recorded beside the chain no longer matches).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from ..domain.models import Case
from ..domain.timeutil import to_store
from .db import Store, _dump, _ts

GENESIS = "0" * 64
FINAL = frozenset({"done", "conflict", "failed"})
KINDS = frozenset({"assign", "move", "message", "coordinator"})


# the canonical JSON the audit hashes are computed over (the store's own compact, sorted form)
_canon = _dump


@dataclass(frozen=True)
class OutboxWrite:
    """One write to make: ``kind`` assign/move/message/coordinator, its subject and body."""

    kind: str
    body: dict
    case_id: str | None = None
    unit_id: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    batch_id: str
    idempotency_key: str
    kind: str
    case_id: str | None
    unit_id: str | None
    body: dict
    status: str
    attempts: int
    http_status: int | None
    code: str | None
    detail: str | None
    result: Any
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None

    @property
    def final(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: Any
    detail: Any
    outcome: str
    prev_hash: str
    hash: str


_OUTBOX_COLS = ("id, batch_id, idempotency_key, kind, case_id, unit_id, body, status, attempts, http_status, "
                "code, detail, result, created_at, updated_at, next_attempt_at")


def _outbox_row(r: Sequence) -> OutboxRow:
    return OutboxRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], r[9], r[10], r[11],
                     json.loads(r[12]) if r[12] else None, _ts(r[13]), _ts(r[14]), _ts(r[15]))  # type: ignore[arg-type]


# -- audit ----------------------------------------------------------------------------------------
def entry_hash(seq: int, at: str, actor: str, action: str, subject: str, detail: str, outcome: str,
               prev_hash: str) -> str:
    payload = _canon([seq, at, actor, action, subject, detail, outcome, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _append(conn: sqlite3.Connection, at: datetime, actor: str, action: str, subject: Any, detail: Any,
            outcome: str) -> int:
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    stamp = to_store(at) or ""
    subj, det = _canon(subject), _canon(detail)
    h = entry_hash(seq, stamp, actor, action, subj, det, outcome, prev)
    conn.execute("INSERT INTO audit (seq, at, actor, action, subject, detail, outcome, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (seq, stamp, actor, action, subj, det, outcome, prev, h))
    conn.execute("INSERT INTO sync_state (key, value) VALUES ('audit_head', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (f"{seq}:{h}",))
    return seq


def audit_append(store: Store, at: datetime, actor: str, action: str, subject: Any, detail: Any = None,
                 outcome: str = "ok") -> int:
    """Append one entry (its own transaction, synchronous=FULL for the commit)."""
    with _durable(store), store.transaction() as conn:
        return _append(conn, at, actor, action, subject, detail if detail is not None else {}, outcome)


def audit_entries(store: Store) -> list[AuditEntry]:
    return [AuditEntry(r[0], _ts(r[1]), r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6], r[7], r[8])  # type: ignore[arg-type]
            for r in store.conn.execute("SELECT seq, at, actor, action, subject, detail, outcome, prev_hash, hash "
                                        "FROM audit ORDER BY seq")]


def audit_verify(store: Store) -> list[str]:
    """Problems with the chain, one line each (empty when intact)."""
    problems: list[str] = []
    prev_hash, expected_seq = GENESIS, 1
    rows = store.conn.execute("SELECT seq, at, actor, action, subject, detail, outcome, prev_hash, hash "
                              "FROM audit ORDER BY seq").fetchall()
    for seq, at, actor, action, subject, detail, outcome, prev, h in rows:
        if seq != expected_seq:
            problems.append(f"entries {expected_seq}–{seq - 1} are missing (removed)")
        if prev != prev_hash:
            problems.append(f"entry {seq}: does not follow the entry before it (an entry was removed or replaced)")
        if entry_hash(seq, at, actor, action, subject, detail, outcome, prev) != h:
            problems.append(f"entry {seq}: its content does not match its hash (edited)")
        prev_hash, expected_seq = h, seq + 1
    head = store.conn.execute("SELECT value FROM sync_state WHERE key = 'audit_head'").fetchone()
    if head:
        head_seq, _, head_hash = head[0].partition(":")
        last_seq = rows[-1][0] if rows else 0
        if int(head_seq) != last_seq or (rows and rows[-1][8] != head_hash):
            problems.append(f"the chain ends at entry {last_seq} but entry {head_seq} was written (entries removed "
                            "from the end)")
    elif rows:
        problems.append("the chain's head record is missing")
    return problems


class _durable:
    """synchronous=FULL for the duration of one commit (outbox and audit: cheap at human rates)."""

    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> None:
        self.store.conn.execute("PRAGMA synchronous = FULL")

    def __exit__(self, *exc: object) -> None:
        self.store.conn.execute("PRAGMA synchronous = NORMAL")


# -- outbox ---------------------------------------------------------------------------------------
def enqueue(store: Store, at: datetime, actor: str, action: str, writes: Sequence[OutboxWrite],
            detail: Any = None) -> str:
    """Queue ``writes`` as one batch with its audit entry, atomically. Returns the batch id."""
    for w in writes:
        if w.kind not in KINDS:
            raise ValueError(f"unknown write kind {w.kind!r}")
    batch = str(uuid.uuid4())
    stamp = to_store(at)
    with store._lock, _durable(store), store.transaction() as conn:
        conn.executemany(
            "INSERT INTO outbox (batch_id, idempotency_key, kind, case_id, unit_id, body, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            [(batch, str(uuid.uuid4()), w.kind, w.case_id, w.unit_id, _canon(w.body), stamp, stamp) for w in writes],
        )
        subject = {"batch": batch, "cases": [w.case_id for w in writes if w.case_id],
                   "units": sorted({w.unit_id for w in writes if w.unit_id})}
        _append(conn, at, actor, action, subject, detail if detail is not None else {}, "queued")
    return batch


def due(store: Store, now: datetime, limit: int = 100) -> list[OutboxRow]:
    """Rows to (re)send now: pending or left 'sending' by a crash, oldest first."""
    rows = store.conn.execute(
        f"SELECT {_OUTBOX_COLS} FROM outbox WHERE status IN ('pending', 'sending') "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
        (to_store(now), limit)).fetchall()
    return [_outbox_row(r) for r in rows]


def pending_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]


def mark_sending(store: Store, row_id: int, at: datetime) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? "
                     "AND status IN ('pending', 'sending')", (to_store(at), row_id))


def retry_later(store: Store, row_id: int, at: datetime, next_attempt: datetime, error: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE outbox SET status = 'pending', detail = ?, updated_at = ?, next_attempt_at = ? "
                     "WHERE id = ? AND status IN ('pending', 'sending')",
                     (error[:300], to_store(at), to_store(next_attempt), row_id))


def finish(store: Store, row_id: int, at: datetime, status: str, *, http_status: int | None = None,
           code: str | None = None, detail: str | None = None, result: Any = None,
           case: Case | None = None, actor: str = "direkt-tui") -> bool:
    """Record a final outcome (done / conflict / failed), ingest the case the platform returned
    (highest version wins), and when the batch is complete append its outcome to the audit
    chain — all in one transaction. Returns False when the row was already final."""
    if status not in FINAL:
        raise ValueError(f"not a final status: {status!r}")
    with store._lock, _durable(store), store.transaction() as conn:
        row = conn.execute("SELECT batch_id, status FROM outbox WHERE id = ?", (row_id,)).fetchone()
        if row is None or row[1] in FINAL:
            return False
        batch = row[0]
        conn.execute("UPDATE outbox SET status = ?, http_status = ?, code = ?, detail = ?, result = ?, "
                     "updated_at = ?, next_attempt_at = NULL WHERE id = ?",
                     (status, http_status, code, (detail or "")[:300] or None,
                      _canon(result) if result is not None else None, to_store(at), row_id))
        if case is not None:
            store._upsert(conn, "cases", [case])
        left = conn.execute("SELECT count(*) FROM outbox WHERE batch_id = ? AND status NOT IN "
                            "('done', 'conflict', 'failed')", (batch,)).fetchone()[0]
        if left == 0:
            counts = dict(conn.execute("SELECT status, count(*) FROM outbox WHERE batch_id = ? GROUP BY status",
                                       (batch,)).fetchall())
            per_case = {r[0] or r[1]: (r[2] if not r[3] else f"{r[2]}:{r[3]}") for r in conn.execute(
                "SELECT case_id, unit_id, status, code FROM outbox WHERE batch_id = ? ORDER BY id", (batch,))}
            outcome = "ok" if set(counts) == {"done"} else "partial" if counts.get("done") else "failed"
            _append(conn, at, actor, "outcome", {"batch": batch}, {"counts": counts, "cases": per_case}, outcome)
        return True


def batch_rows(store: Store, batch_id: str) -> list[OutboxRow]:
    return [_outbox_row(r) for r in store.conn.execute(
        f"SELECT {_OUTBOX_COLS} FROM outbox WHERE batch_id = ? ORDER BY id", (batch_id,))]


def outbox_rows(store: Store, statuses: Iterable[str] | None = None) -> list[OutboxRow]:
    if statuses is None:
        rows = store.conn.execute(f"SELECT {_OUTBOX_COLS} FROM outbox ORDER BY id").fetchall()
    else:
        st = list(statuses)
        rows = store.conn.execute(f"SELECT {_OUTBOX_COLS} FROM outbox WHERE status IN ({','.join('?' * len(st))}) "
                                  "ORDER BY id", st).fetchall()
    return [_outbox_row(r) for r in rows]
