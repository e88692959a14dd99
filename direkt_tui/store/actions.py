"""The outbox of writes to the platform (and, re-exported from ``audit.py``, the audit chain).

Every write the coordinator asks for becomes an outbox row (a UUID ``Idempotency-Key``, the
request body with ``if_version``) written in the same transaction as its audit entry, so a
crash can lose neither. The sender (``sync.outbox``) delivers rows and records outcomes here.

The audit table is append-only (triggers refuse UPDATE and DELETE) and each entry carries the
HMAC-SHA-256, under a key kept outside the store (``store.auditkey``), of its content and of the
previous entry's hash; the head record beside the chain is sealed with the same key. So someone
who can write the store but not read the key can neither edit an entry and recompute the chain
nor cut the end off: :func:`audit_check` finds an edited entry (its hash no longer matches), a
removed one (a gap in ``seq`` or a broken link), a truncated tail (the head record no longer
matches, or is not sealed), and a malformed row (one line, never an exception).

Entries written before the key (stores from schema 2) stay the plain SHA-256 chain they were:
migration 3 records where they end (``audit_plain_until``), every keyed entry's HMAC covers that
boundary, and a plain entry after it is reported. (One rewrite the store alone cannot expose:
*every* entry turned into the plain chain with the boundary moved past them, which looks like a
store upgraded and never written since; ``audit verify`` then says that it checked the plain
chain only, and any anchor printed since the key was introduced catches it.)

Against someone who has the key, the head is anchored outside the database: sign-offs and shift
reports print it (:func:`head_anchor`, ``N:HASH``) and ``audit verify --anchor N:HASH`` checks
that the log still holds that entry unchanged (truncated or rewritten after it was printed).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.models import Case
from ..domain.timeutil import to_store
from ..domain.writes import WriteRequest
from .audit import (
    ALG_KEYED,
    GENESIS,
    SHORT_HASH,
    Anchor,
    AuditCheck,
    AuditEntry,
    AuditProblem,
    _append,
    _canon,
    _durable,
    _head_seal,
    audit_append,
    audit_check,
    audit_entries,
    audit_head,
    audit_rows,
    audit_verify,
    entry_hash,
    head_anchor,
    keyed_hash,
    parse_anchor,
)
from .db import Store
from .rows import parse_instant

# the audit chain is re-exported under the names its callers (and the tests) know
__all__ = [
    "ALG_KEYED",
    "Anchor",
    "AuditCheck",
    "AuditEntry",
    "AuditProblem",
    "FINAL",
    "GENESIS",
    "KINDS",
    "OutboxRow",
    "OutboxWrite",
    "SHORT_HASH",
    "_append",
    "_canon",
    "_durable",
    "_head_seal",
    "audit_append",
    "audit_check",
    "audit_entries",
    "audit_head",
    "audit_rows",
    "audit_verify",
    "batch_rows",
    "due",
    "enqueue",
    "entry_hash",
    "finish",
    "head_anchor",
    "keyed_hash",
    "mark_sending",
    "next_due",
    "outbox_rows",
    "parse_anchor",
    "pending_count",
    "retry_later",
]

FINAL = frozenset({"done", "conflict", "failed"})
KINDS = frozenset({"assign", "move", "message", "coordinator"})


# one write to make: the domain's write request (domain/writes.py), under the outbox's name
OutboxWrite = WriteRequest


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


_OUTBOX_COLS = (
    "id, batch_id, idempotency_key, kind, case_id, unit_id, body, status, attempts, http_status, "
    "code, detail, result, created_at, updated_at, next_attempt_at"
)


def _outbox_row(r: Sequence) -> OutboxRow:
    return OutboxRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        json.loads(r[6]),
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        json.loads(r[12]) if r[12] else None,
        parse_instant(r[13]),
        parse_instant(r[14]),
        parse_instant(r[15]),
    )


# -- outbox ---------------------------------------------------------------------------------------
def enqueue(
    store: Store, at: datetime, actor: str, action: str, writes: Sequence[OutboxWrite], detail: Any = None
) -> str:
    """Queue ``writes`` as one batch with its audit entry, atomically. Returns the batch id."""
    for w in writes:
        if w.kind not in KINDS:
            raise ValueError(f"unknown write kind {w.kind!r}")
    batch = str(uuid.uuid4())
    stamp = to_store(at)
    with store.lock, _durable(store), store.transaction() as conn:
        conn.executemany(
            "INSERT INTO outbox (batch_id, idempotency_key, kind, case_id, unit_id, body, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            [(batch, str(uuid.uuid4()), w.kind, w.case_id, w.unit_id, _canon(w.body), stamp, stamp) for w in writes],
        )
        subject = {
            "batch": batch,
            "cases": [w.case_id for w in writes if w.case_id],
            "units": sorted({w.unit_id for w in writes if w.unit_id}),
        }
        _append(conn, at, actor, action, subject, detail if detail is not None else {}, "queued")
    return batch


def due(store: Store, now: datetime, limit: int = 100) -> list[OutboxRow]:
    """Rows to (re)send now: pending or left 'sending' by a crash, oldest first."""
    with store.lock:
        rows = store.conn.execute(
            f"SELECT {_OUTBOX_COLS} FROM outbox WHERE status IN ('pending', 'sending') "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
            (to_store(now), limit),
        ).fetchall()
    return [_outbox_row(r) for r in rows]


def pending_count(store: Store) -> int:
    with store.lock:
        return store.conn.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]


def next_due(store: Store) -> datetime | None:
    """When the first pending (or crash-left 'sending') row is due (None: nothing to send)."""
    with store.lock:
        row = store.conn.execute(
            "SELECT min(coalesce(next_attempt_at, created_at)) FROM outbox WHERE status IN ('pending', 'sending')"
        ).fetchone()
    if not row or row[0] is None:
        return None
    return datetime.fromisoformat(row[0])


def mark_sending(store: Store, row_id: int, at: datetime) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? "
            "AND status IN ('pending', 'sending')",
            (to_store(at), row_id),
        )


def retry_later(store: Store, row_id: int, at: datetime, next_attempt: datetime, error: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE outbox SET status = 'pending', detail = ?, updated_at = ?, next_attempt_at = ? "
            "WHERE id = ? AND status IN ('pending', 'sending')",
            (error[:300], to_store(at), to_store(next_attempt), row_id),
        )


def finish(
    store: Store,
    row_id: int,
    at: datetime,
    status: str,
    *,
    http_status: int | None = None,
    code: str | None = None,
    detail: str | None = None,
    result: Any = None,
    case: Case | None = None,
    actor: str = "direkt-tui",
) -> bool:
    """Record a final outcome (done / conflict / failed), ingest the case the platform returned
    (highest version wins), and when the batch is complete append its outcome to the audit
    chain — all in one transaction. Returns False when the row was already final."""
    if status not in FINAL:
        raise ValueError(f"not a final status: {status!r}")
    with store.lock, _durable(store), store.transaction() as conn:
        row = conn.execute("SELECT batch_id, status FROM outbox WHERE id = ?", (row_id,)).fetchone()
        if row is None or row[1] in FINAL:
            return False
        batch = row[0]
        conn.execute(
            "UPDATE outbox SET status = ?, http_status = ?, code = ?, detail = ?, result = ?, "
            "updated_at = ?, next_attempt_at = NULL WHERE id = ?",
            (
                status,
                http_status,
                code,
                (detail or "")[:300] or None,
                _canon(result) if result is not None else None,
                to_store(at),
                row_id,
            ),
        )
        if case is not None:
            store._upsert(conn, "cases", [case])
        left = conn.execute(
            "SELECT count(*) FROM outbox WHERE batch_id = ? AND status NOT IN ('done', 'conflict', 'failed')", (batch,)
        ).fetchone()[0]
        if left == 0:
            counts = dict(
                conn.execute(
                    "SELECT status, count(*) FROM outbox WHERE batch_id = ? GROUP BY status", (batch,)
                ).fetchall()
            )
            per_case = {
                r[0] or r[1]: (r[2] if not r[3] else f"{r[2]}:{r[3]}")
                for r in conn.execute(
                    "SELECT case_id, unit_id, status, code FROM outbox WHERE batch_id = ? ORDER BY id", (batch,)
                )
            }
            outcome = "ok" if set(counts) == {"done"} else "partial" if counts.get("done") else "failed"
            _append(conn, at, actor, "outcome", {"batch": batch}, {"counts": counts, "cases": per_case}, outcome)
        return True


def batch_rows(store: Store, batch_id: str) -> list[OutboxRow]:
    return [
        _outbox_row(r)
        for r in store.conn.execute(f"SELECT {_OUTBOX_COLS} FROM outbox WHERE batch_id = ? ORDER BY id", (batch_id,))
    ]


def outbox_rows(store: Store, statuses: Iterable[str] | None = None) -> list[OutboxRow]:
    if statuses is None:
        rows = store.conn.execute(f"SELECT {_OUTBOX_COLS} FROM outbox ORDER BY id").fetchall()
    else:
        st = list(statuses)
        rows = store.conn.execute(
            f"SELECT {_OUTBOX_COLS} FROM outbox WHERE status IN ({','.join('?' * len(st))}) ORDER BY id", st
        ).fetchall()
    return [_outbox_row(r) for r in rows]
