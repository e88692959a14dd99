"""The store's public API after the split of ``store/db.py`` (issue 11 §4): the schema from one
case column list, unchanged to the character; the lock and the outbox reads other layers use,
by public names; no store module over 600 lines."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from builders import case, local

from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.db import CASE_COLS, Store
from direkt_tui.store.schema import CASE_COLUMNS, MIGRATIONS, NOT_IN_HISTORY, SCHEMA_VERSION

T = local("2026-11-26 10:00")
STORE_DIR = Path(__file__).resolve().parents[2] / "direkt_tui" / "store"

# sha256 of repr(sqlite_master ordered by type, name) of a store the released migrations made
# (before the schema text was generated from one column list): the text SQLite keeps must stay
# (migrations 1-6: a new migration changes it, on purpose and in the same commit)
RELEASED_SCHEMA = "999fff50f8dc744782fa112b399d6dab67d020df9c8c6d21e7508841007f7dc8"


def master(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()


def digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_a_fresh_store_has_the_released_schema_text(tmp_path):
    db = tmp_path / "fresh.db"
    Store(db).close()
    assert digest(master(db)) == RELEASED_SCHEMA


def test_a_store_migrated_from_schema_1_has_the_same_schema(tmp_path):
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(old) as s:
        assert s.schema_version == SCHEMA_VERSION
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    assert master(old) == master(fresh)


def test_cases_and_history_come_from_one_column_list(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        cases = s.conn.execute("PRAGMA table_info(cases)").fetchall()
        history = s.conn.execute("PRAGMA table_info(case_history)").fetchall()
    assert CASE_COLS == tuple(name for name, _decl in CASE_COLUMNS)
    assert [c[1] for c in cases] == [c[1] for c in history] == list(CASE_COLS)
    assert [(c[2], c[3]) for c in cases][1:] == [(c[2], c[3]) for c in history][1:]  # type, not null (id: the key)
    assert [c[5] for c in history][:2] == [1, 2]  # PRIMARY KEY (id, version)


def test_the_trigger_copies_every_column_but_patient_identity(tmp_path):
    db = tmp_path / "s.db"

    def mk(version: int) -> Case:
        d = case("c-1", created=T - timedelta(minutes=30), status="waiting")
        d["version"] = version
        return Case.from_api(d)

    with Store(db) as s:
        s.ingest("cases", [mk(1)])
        before = s.conn.execute(f"SELECT {', '.join(CASE_COLS)} FROM cases").fetchone()
        s.ingest("cases", [mk(2)])
        kept = s.conn.execute(f"SELECT {', '.join(CASE_COLS)} FROM case_history").fetchall()
    assert len(kept) == 1
    expected = tuple(None if c in NOT_IN_HISTORY else v for c, v in zip(CASE_COLS, before, strict=True))
    assert kept[0] == expected
    assert before[CASE_COLS.index("patient_name")] is not None  # the case itself had it


def test_the_lock_is_public_and_the_one_transactions_hold(tmp_path):
    with Store(tmp_path / "s.db") as s:
        with s.lock:  # re-entrant: a transaction inside it does not deadlock
            with s.transaction() as conn:
                conn.execute("INSERT INTO sync_state (key, value) VALUES ('k', 'v')")
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with s.transaction():
                held.set()
                release.wait(10)

        t = threading.Thread(target=hold)
        t.start()
        try:
            assert held.wait(10)
            assert not s.lock.acquire(blocking=False)  # the transaction holds this very lock
        finally:
            release.set()
            t.join(10)
        assert s.lock.acquire(blocking=False)
        s.lock.release()


def test_next_due_is_the_first_pending_write(tmp_path):
    with Store(tmp_path / "s.db") as s:
        assert actions.next_due(s) is None
        actions.enqueue(s, T, "tester", "assign", [actions.OutboxWrite("message", {"text": "x"}, case_id="c-1")])
        assert actions.next_due(s) == T
        assert actions.pending_count(s) == 1
        (row,) = actions.due(s, T)
        actions.retry_later(s, row.id, T, T + timedelta(minutes=5), "later")
        assert actions.next_due(s) == T + timedelta(minutes=5)
        assert actions.due(s, T) == []
        actions.finish(s, row.id, T + timedelta(minutes=6), "done")
        assert actions.next_due(s) is None and actions.pending_count(s) == 0


def test_no_store_module_is_over_600_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in STORE_DIR.glob("*.py")}
    assert sizes and max(sizes.values()) <= 600, sizes


def test_the_store_needs_no_sqlite_utils(tmp_path):
    """sqlite-utils is dropped: plain sqlite3 does every job (and the import cost a quarter second)."""
    code = (
        "import sys; from direkt_tui.store.db import Store; "
        f"s = Store({str(tmp_path / 's.db')!r}); print(s.count('cases'), 'cases' in s.table_names(), "
        "'sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["0", "True", "False"]
