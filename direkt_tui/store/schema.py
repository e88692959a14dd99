"""The store's schema as forward migrations, versioned with ``PRAGMA user_version``.

Migration N takes a store from version N-1 to N. Never edit a released migration: add one.
"""

from __future__ import annotations

import textwrap

# The columns of a case, in their stored order: ``cases`` and ``case_history`` (and the trigger
# that copies a superseded row) are generated from this one list. The generated text is the
# text the released migrations always had, character for character (``sqlite_master`` keeps it;
# a test compares it), so a store created now and one migrated long ago have the same schema.
CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "TEXT NOT NULL"),
    ("version", "INTEGER NOT NULL"),
    ("unit_id", "TEXT NOT NULL"),
    ("kind", "TEXT NOT NULL"),
    ("priority", "INTEGER"),
    ("status", "TEXT NOT NULL"),
    ("owner_type", "TEXT"),
    ("owner_staff_id", "TEXT"),
    ("owner_profession", "TEXT"),
    ("owner_since", "TEXT"),
    ("reason", "TEXT"),
    ("created_at", "TEXT NOT NULL"),
    ("received_at", "TEXT"),
    ("started_at", "TEXT"),
    ("closed_at", "TEXT"),
    ("close_reason", "TEXT"),
    ("last_patient_message_at", "TEXT"),
    ("last_staff_message_at", "TEXT"),
    ("contact_attempts", "TEXT"),
    ("notices", "TEXT"),
    ("handover", "TEXT"),
    ("reopen_until", "TEXT"),
    ("patient_protected", "INTEGER NOT NULL"),
    ("patient_birth_date", "TEXT"),
    ("patient_name", "TEXT"),
    ("patient_pnr", "TEXT"),
    ("patient_phone", "TEXT"),
    ("patient_home_region", "TEXT"),
    ("url", "TEXT"),
    ("updated_at", "TEXT NOT NULL"),
)
CASE_COLS: tuple[str, ...] = tuple(name for name, _decl in CASE_COLUMNS)
# patient identity is never kept in the history (the trigger stores NULL)
NOT_IN_HISTORY = frozenset({"patient_name", "patient_pnr", "patient_phone"})


def _columns(first: str, last: str) -> str:
    decls = [f"{name} {first if name == 'id' else decl}" for name, decl in CASE_COLUMNS]
    return "".join(f"        {d},\n" for d in decls[:-1]) + f"        {decls[-1]}{last}\n"


def _wrapped(text: str) -> str:
    return textwrap.fill(text, width=106, initial_indent=" " * 8, subsequent_indent=" " * 12, break_on_hyphens=False)


_NAMES = ", ".join(CASE_COLS)
_VALUES = ", ".join("NULL" if c in NOT_IN_HISTORY else f"old.{c}" for c in CASE_COLS)
_GENERATED = {
    "{cases}": f"    CREATE TABLE cases (\n{_columns('TEXT PRIMARY KEY', '')}    );\n",
    "{case_history}": (
        f"    CREATE TABLE case_history (\n{_columns('TEXT NOT NULL', ',')}"
        "        PRIMARY KEY (id, version)\n    ) WITHOUT ROWID;\n"
    ),
    "{case_history_keep}": (
        "    CREATE TRIGGER case_history_keep AFTER UPDATE ON cases WHEN new.version > old.version\n    BEGIN\n"
        f"{_wrapped(f'INSERT OR IGNORE INTO case_history ({_NAMES})')}\n"
        f"{_wrapped(f'VALUES ({_VALUES});')}\n    END;\n"
    ),
    # schema 8: the same, with a conflict clause of its own — an ``OR IGNORE`` in a trigger is
    # overridden by the conflict policy of the upsert that fires it (SQLite), so a version that
    # was already kept (a case dropped by a re-read, back and superseded again) failed the sync
    "{case_history_keep_8}": (
        "    DROP TRIGGER case_history_keep;\n"
        "    CREATE TRIGGER case_history_keep AFTER UPDATE ON cases WHEN new.version > old.version\n    BEGIN\n"
        f"{_wrapped(f'INSERT INTO case_history ({_NAMES})')}\n"
        f"{_wrapped(f'VALUES ({_VALUES}) ON CONFLICT DO NOTHING;')}\n    END;\n"
    ),
}


def _fill(script: str) -> str:
    for mark, text in _GENERATED.items():
        script = script.replace(mark, text)
    return script


MIGRATIONS: tuple[str, ...] = (
    # 1: the platform's entities, sync state, quarantine, load history
    _fill("""
    CREATE TABLE units (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        activated INTEGER NOT NULL,
        private INTEGER NOT NULL DEFAULT 0,
        region TEXT,
        care_to_care_phone TEXT,
        opening_hours TEXT NOT NULL,
        special_hours TEXT NOT NULL,
        closed_dates TEXT NOT NULL,
        updated_at TEXT
    );
    CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        unit_id TEXT NOT NULL,
        name TEXT NOT NULL,
        title TEXT,
        professions TEXT NOT NULL,
        logged_in INTEGER NOT NULL DEFAULT 0,
        phone TEXT,
        updated_at TEXT
    );
    CREATE INDEX staff_unit ON staff (unit_id);
    CREATE TABLE shifts (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        unit_id TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        profession TEXT NOT NULL,
        start TEXT NOT NULL,
        "end" TEXT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT
    );
    CREATE INDEX shifts_end ON shifts ("end");
    CREATE INDEX shifts_staff ON shifts (staff_id, start);
{cases}    CREATE INDEX cases_open ON cases (unit_id, status) WHERE status != 'closed';
    CREATE INDEX cases_closed ON cases (closed_at) WHERE status = 'closed';
    CREATE TABLE coordinators (
        unit_id TEXT PRIMARY KEY,
        staff_id TEXT,
        since TEXT,
        fetched_at TEXT
    );
    CREATE TABLE templates (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        scope TEXT
    );
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    CREATE TABLE resync_seen (
        feed TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (feed, id)
    ) WITHOUT ROWID;
    CREATE TABLE quarantine (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        feed TEXT NOT NULL,
        item_id TEXT,
        reason TEXT NOT NULL,
        payload TEXT,
        received_at TEXT NOT NULL
    );
    CREATE TABLE load_history (
        unit_id TEXT NOT NULL,
        at TEXT NOT NULL,
        level TEXT NOT NULL,
        ratio REAL NOT NULL,
        waiting INTEGER NOT NULL,
        queued INTEGER NOT NULL,
        in_progress INTEGER NOT NULL,
        clinicians INTEGER NOT NULL,
        PRIMARY KEY (unit_id, at)
    ) WITHOUT ROWID;
    """),
    # 2: writes (outbox), the audit chain, history for looking back, shift work
    _fill("""
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        case_id TEXT,
        unit_id TEXT,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        http_status INTEGER,
        code TEXT,
        detail TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        next_attempt_at TEXT
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at) WHERE status IN ('pending', 'sending');
    CREATE INDEX outbox_batch ON outbox (batch_id);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
{case_history}    CREATE INDEX case_history_time ON case_history (updated_at);
{case_history_keep}    CREATE TABLE finding_log (
        rule TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        resolved_at TEXT,
        PRIMARY KEY (rule, unit_id, case_id, opened_at)
    ) WITHOUT ROWID;
    CREATE INDEX finding_log_open ON finding_log (resolved_at);
    CREATE TABLE checklist_signoffs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        checklist TEXT NOT NULL,
        unit_ids TEXT NOT NULL,
        signed_by TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        acknowledged TEXT NOT NULL,
        outstanding TEXT NOT NULL
    );
    CREATE TABLE call_marks (
        case_id TEXT PRIMARY KEY,
        called_at TEXT NOT NULL,
        note TEXT,
        called_by TEXT
    );
    """),
    # 3: the audit chain under a key kept outside the store (store/auditkey.py). Entries from
    # here on carry the id of the key their HMAC-SHA-256 was made with; the entries already
    # written stay the plain SHA-256 chain they were, and where they end is recorded once.
    """
    ALTER TABLE audit ADD COLUMN key_id TEXT;
    INSERT OR REPLACE INTO sync_state (key, value)
        SELECT 'audit_plain_until', CAST(coalesce(max(seq), 0) AS TEXT) FROM audit;
    """,
    # 4: §11 of the guideline: a case closed without an answer, or handed over to another
    # person or unit, is documented in Cosmic; the end-of-shift checklist marks each one
    """
    CREATE TABLE cosmic_marks (
        case_id TEXT PRIMARY KEY,
        documented_at TEXT NOT NULL,
        documented_by TEXT NOT NULL
    );
    """,
    # 5: the forecast for closing counts a unit's arrivals and takings on the same weekday of the
    # last four weeks (reads.care_flow): by unit and instant, not a scan of every kept case
    """
    CREATE INDEX cases_unit_created ON cases (unit_id, created_at);
    CREATE INDEX cases_unit_received ON cases (unit_id, received_at);
    """,
    # 6: and a unit's shifts of one earlier day (reads.shifts_between with a unit)
    """
    CREATE INDEX shifts_unit_start ON shifts (unit_id, start);
    """,
    # 7: every snapshot reads the open cases' ids and versions (to rebuild only what changed):
    # from a covering index, not the table's rows (region, 10,000 open of 1,000,000: 16 → 9 ms)
    """
    CREATE INDEX cases_open_keys ON cases (status, id, version) WHERE status != 'closed';
    """,
    # 8: a superseded version already in the history is kept once, not a failed sync
    _fill("""
{case_history_keep_8}    """),
    # 9: the forecast's and the chart's earlier days (reads.care_waits: a unit's care cases by
    # arrival, with when each was taken) from the index alone (region report: 0.28 → 0.04 s)
    """
    CREATE INDEX cases_unit_waits ON cases (unit_id, kind, created_at, received_at, closed_at);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
