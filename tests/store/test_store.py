"""The SQLite store on real files: permissions, schema versions, highest version wins, atomic
pages, resync bookkeeping, data minimisation."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import timedelta

import pytest
from builders import case, local, person, shift, staff, unit

from direkt_tui.domain.models import Case, Shift, Staff, Unit
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import NewerSchemaError, Quarantined, Store, StoreError
from direkt_tui.store.schema import SCHEMA_VERSION

T = local("2026-11-26 10:00")


def mk_case(cid: str, version: int, status: str = "waiting", **kw) -> Case:
    d = case(cid, created=T - timedelta(minutes=30), status=status, **kw)
    d["version"] = version
    return Case.from_api(d)


def test_file_modes(tmp_path):
    db = tmp_path / "private" / "sub" / "direkt.db"
    with Store(db):
        pass
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700
    assert Store(db, read_only=True).schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(("shared", "before", "after"), [
    ("1", 0o640, 0o640), ("1", 0o644, 0o600), ("1", 0o664, 0o600), ("1", 0o700, 0o600),
    (None, 0o640, 0o600), (None, 0o644, 0o600), ("0", 0o640, 0o600)])
def test_a_shared_store_may_stay_group_readable_only_where_the_service_says(tmp_path, monkeypatch, shared, before,
                                                                            after):
    """DIREKT_TUI_STORE_GROUP_READ=1 (the sync service, data/direkt-tui-sync.service) keeps a store
    the administrator made 0640; otherwise, and for anything more open, 0600 as always."""
    if shared is None:
        monkeypatch.delenv("DIREKT_TUI_STORE_GROUP_READ", raising=False)
    else:
        monkeypatch.setenv("DIREKT_TUI_STORE_GROUP_READ", shared)
    db = tmp_path / "direkt.db"
    db.touch()
    os.chmod(db, before)
    with Store(db):
        pass
    assert stat.S_IMODE(os.stat(db).st_mode) == after


def test_wal_and_migrations(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.schema_version == SCHEMA_VERSION
        tables = set(s.table_names())
    assert {"units", "staff", "shifts", "cases", "coordinators", "templates", "sync_state", "quarantine",
            "load_history"} <= tables
    # reopening does not migrate again
    with Store(db) as s:
        assert s.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(NewerSchemaError):
        Store(db)
    with pytest.raises(NewerSchemaError):
        Store(db, read_only=True)


def test_missing_and_garbage_store(tmp_path):
    with pytest.raises(StoreError):
        Store(tmp_path / "nope.db", read_only=True)
    bad = tmp_path / "bad.db"
    bad.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError):
        Store(bad, read_only=True)


def test_read_only_store_never_writes(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.ingest("cases", [mk_case("c-1", 1)])
    ro = Store(db, read_only=True)
    with pytest.raises(StoreError):
        ro.ingest("cases", [mk_case("c-1", 2)])
    with pytest.raises(sqlite3.OperationalError):
        ro.conn.execute("DELETE FROM cases")
    assert ro.case("c-1").version == 1


def test_highest_version_wins(tmp_path):
    with Store(tmp_path / "s.db") as s:
        s.ingest("cases", [mk_case("c-1", 3, status="received", owner=person("n1"))])
        # an older version delivered again never overwrites the newer one
        s.ingest("cases", [mk_case("c-1", 2, status="waiting")])
        c = s.case("c-1")
        assert (c.version, c.status) == (3, "received")
        # the same version again changes nothing
        assert s.ingest("cases", [mk_case("c-1", 3, status="closed", closed_at=T, close_reason="resolved")]) == 0
        assert s.case("c-1").status == "received"
        s.ingest("cases", [mk_case("c-1", 4, status="started", owner=person("n1"))])
        assert (s.case("c-1").version, s.case("c-1").status) == (4, "started")
        # within one page too: the order of delivery does not matter
        s.ingest("cases", [mk_case("c-2", 5, status="started", owner=person("n1")), mk_case("c-2", 1)])
        assert s.case("c-2").version == 5


def test_highest_version_wins_for_every_entity(tmp_path):
    with Store(tmp_path / "s.db") as s:
        u = unit()
        s.replace_reference(units=[Unit.from_api(dict(u, version=2, name="Ny"))])
        s.replace_reference(units=[Unit.from_api(dict(u, version=1, name="Gammal"))])
        assert s.units()[0].name == "Ny"
        st = staff("n1")
        s.ingest("staff", [Staff.from_api(dict(st, version=2, name="B")), Staff.from_api(dict(st, version=1))])
        assert s.staff()["n1"].name == "B"
        sh = shift("n1", T, T + timedelta(hours=2), shift_id="sh-1")
        s.ingest("shifts", [Shift.from_api(dict(sh, version=3, cancelled=True))])
        s.ingest("shifts", [Shift.from_api(dict(sh, version=2))])
        assert s.shifts()[0].cancelled is True


def test_page_and_cursor_commit_together(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.apply_page("cases", [mk_case("c-1", 1)], "cur-1")

        class Boom(Exception):
            pass

        # a failure in the middle of a page leaves neither its rows nor its cursor
        with pytest.raises(Boom):
            with s.transaction() as conn:
                s._upsert(conn, "cases", [mk_case(f"c-{i}", 1) for i in range(2, 50)])
                s._set(conn, "cursor:cases", "cur-2")
                raise Boom()
        assert s.count("cases") == 1
        assert s.cursor("cases") == "cur-1"
        # a page with a broken item in the middle: nothing of it is applied
        bad = mk_case("c-99", 1)
        object.__setattr__(bad, "kind", None)  # violates NOT NULL
        with pytest.raises(sqlite3.IntegrityError):
            s.apply_page("cases", [mk_case("c-50", 1), bad, mk_case("c-51", 1)], "cur-3")
        assert s.count("cases") == 1 and s.cursor("cases") == "cur-1"


def test_large_page_is_one_transaction(tmp_path):
    """sqlite-utils would commit per chunk; our page commits once, so another connection sees
    all rows of a page or none."""
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.apply_page("cases", [mk_case(f"c-{i}", 1) for i in range(3000)], "cur-1")
        other = Store(db, read_only=True)
        assert other.count("cases") == 3000 and other.cursor("cases") == "cur-1"


def test_quarantine_and_resync(tmp_path):
    with Store(tmp_path / "s.db") as s:
        s.apply_page("cases", [mk_case("c-1", 1), mk_case("c-2", 1)], "cur-1",
                     [Quarantined("cases", "c-bad", "missing field 'kind'", {"id": "c-bad"})], received_at=T)
        assert [(q.item_id, q.reason) for q in s.quarantined()] == [("c-bad", "missing field 'kind'")]
        s.begin_resync("cases")
        assert s.resync_pending("cases") and s.cursor("cases") is None
        s.apply_page("cases", [mk_case("c-2", 2)], "r-1", resync=True)
        # nothing is discarded before the re-read has completed
        assert s.count("cases") == 2
        assert s.finish_resync("cases") == 1
        assert s.case("c-1") is None and s.case("c-2").version == 2
        assert not s.resync_pending("cases")


def test_protected_identity_is_not_stored(tmp_path):
    d = case("c-1", created=T)
    d["patient"] = {"display_name": "Hemlig Person", "personnummer": "19750202-9013", "birth_date": "1975-02-02",
                    "phone": "070-000 00 13", "protected_identity": True}
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.ingest("cases", [Case.from_api(d)])
    raw = db.read_bytes() + (tmp_path / "s.db-wal").read_bytes() if (tmp_path / "s.db-wal").exists() else db.read_bytes()
    assert b"Hemlig" not in raw and b"19750202-9013" not in raw and b"070-000 00 13" not in raw


def test_sync_health_and_purge(tmp_path):
    with Store(tmp_path / "s.db") as s:
        assert s.sync_health().data_as_of is None
        s.record_sync_failure("connection refused", T)
        s.record_sync_failure("connection refused", T + timedelta(seconds=15))
        h = s.sync_health()
        assert h.consecutive_failures == 2 and h.failing_since == T and h.last_error == "connection refused"
        s.record_sync_success(T + timedelta(seconds=30), T + timedelta(seconds=31))
        h = s.sync_health()
        assert h.consecutive_failures == 0 and h.failing_since is None
        assert h.data_as_of == require_instant((T + timedelta(seconds=30)).isoformat())
        old = mk_case("c-old", 2, status="closed", closed_at=T - timedelta(days=40), close_reason="resolved")
        new = mk_case("c-new", 2, status="closed", closed_at=T - timedelta(days=3), close_reason="resolved")
        s.ingest("cases", [old, new, mk_case("c-open", 1)])
        assert s.purge_closed(T - timedelta(days=30)) == 1
        assert s.case("c-old") is None and s.case("c-new") is not None and s.case("c-open") is not None


def test_snapshot_round_trip(tmp_path):
    d = case("c-1", created=T, status="started", owner=person("n1"), owner_since=T, received_at=T, started_at=T,
             contact_attempts=[T.isoformat()], notices=[{"template_id": "next_day", "sent_at": T.isoformat()}],
             handover={"to_unit_id": "vc-b", "requested_at": T.isoformat(), "accepted_at": None, "urgent": True})
    original = Case.from_api(d)
    with Store(tmp_path / "s.db") as s:
        s.ingest("cases", [original])
        s.replace_reference(units=[Unit.from_api(unit())])
        snap = s.snapshot(around=T)
    assert snap.cases == (original,)
    assert snap.units[0] == Unit.from_api(unit())


def test_forward_migration_keeps_data(tmp_path):
    """A store written by schema version 1 is migrated forward on open, its data intact."""
    from direkt_tui.store.db import _statements, case_row
    from direkt_tui.store.schema import MIGRATIONS

    db = tmp_path / "v1.db"
    conn = sqlite3.connect(db)
    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    row = case_row(mk_case("c-old", 3))
    conn.execute(f"INSERT INTO cases VALUES ({','.join('?' * len(row))})", row)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(db) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.case("c-old").version == 3
        assert "outbox" in s.table_names() and "audit" in s.table_names()


def test_case_history_for_looking_back(tmp_path):
    with Store(tmp_path / "s.db") as s:
        v1 = case("c-1", created=T - timedelta(hours=2), status="waiting")
        v1["updated_at"] = (T - timedelta(hours=2)).isoformat()
        v2 = dict(v1, version=2, status="received", owner=person("n1"), received_at=(T - timedelta(hours=1)).isoformat(),
                  updated_at=(T - timedelta(hours=1)).isoformat())
        s.ingest("cases", [Case.from_api(v1)])
        assert s.conn.execute("SELECT count(*) FROM case_history").fetchone()[0] == 0  # a first version: none
        s.ingest("cases", [Case.from_api(v2)])  # v1 is superseded: kept in the history
        s.ingest("cases", [Case.from_api(v1)])  # delivered again: changes nothing
        assert [r[0] for r in s.conn.execute("SELECT version FROM case_history")] == [1]
        before = s.cases_as_of(T - timedelta(minutes=90))
        after = s.cases_as_of(T)
        assert [(c.id, c.version, c.status) for c in before] == [("c-1", 1, "waiting")]
        assert [(c.id, c.version, c.status) for c in after] == [("c-1", 2, "received")]
        assert s.cases_as_of(T - timedelta(hours=3)) == []
        # history keeps no patient identity
        raw = s.conn.execute("SELECT * FROM case_history").fetchall()
        assert raw and all("19800505-9001" not in str(r) and "Testperson" not in str(r) for r in raw)
        snap = s.snapshot_at(T - timedelta(minutes=90))
        assert snap.cases[0].status == "waiting" and snap.data_as_of == T - timedelta(minutes=90)


def test_incremental_snapshot_follows_every_change(tmp_path):
    """The board and the recorder re-read after every sync: unchanged rows are reused, and
    every change (newer version, purge, staff, shift) shows in the next snapshot."""
    at = T
    with Store(tmp_path / "s.db") as s:
        s.replace_reference(units=[Unit.from_api(unit())])
        s.ingest("staff", [Staff.from_api(staff("n1"))])
        s.ingest("shifts", [Shift.from_api(shift("n1", at - timedelta(hours=1), at + timedelta(hours=4), shift_id="sh-1"))])
        s.ingest("cases", [mk_case("c-1", 1), mk_case("c-2", 1)] + [mk_case(f"x-{i}", 1) for i in range(8)])
        first = s.snapshot(around=at, identity=False)
        again = s.snapshot(around=at, identity=False)
        assert [c.id for c in again.cases][:2] == ["c-1", "c-2"] and len(again.cases) == 10
        assert again.cases[0] is first.cases[0] and again.staff is first.staff  # reused, not rebuilt
        # light snapshots carry no patient identity; full ones do
        assert first.cases[0].patient.personnummer is None
        assert s.snapshot(around=at).cases[0].patient.personnummer == "19800505-9001"
        # a newer version, a new case, a staff change and a cancelled shift all show
        s.ingest("cases", [mk_case("c-1", 2, status="received", owner=person("n1")), mk_case("c-3", 1)])
        s.ingest("staff", [Staff.from_api(dict(staff("n1"), name="Ny", version=2))])
        s.ingest("shifts", [Shift.from_api(dict(shift("n1", at - timedelta(hours=1), at + timedelta(hours=4),
                                                      shift_id="sh-1"), version=2, cancelled=True))])
        snap = s.snapshot(around=at, identity=False)
        by_id = {c.id: c for c in snap.cases}
        assert set(by_id) == {"c-1", "c-2", "c-3"} | {f"x-{i}" for i in range(8)}
        assert by_id["c-1"].status == "received" and by_id["c-2"] is first.cases[1]
        assert snap.staff["n1"].name == "Ny"
        assert snap.shifts[0].cancelled and snap.shift_spans == {}
        # a case that closes leaves the open set; one closed long ago is not read at all
        s.ingest("cases", [mk_case("c-2", 2, status="closed", closed_at=at - timedelta(days=5),
                                   close_reason="resolved")])
        assert {c.id for c in s.snapshot(around=at, identity=False).cases} == {"c-1", "c-3"} | {
            f"x-{i}" for i in range(8)}


def test_a_case_back_after_a_re_read_dropped_it_keeps_its_history_once(tmp_path):
    """Found by the region benchmark's memory pass with a CPU hog: a re-read after a 410
    completed without a case (the store dropped it; its superseded v1 stays in the history),
    then the case came back at v1 and moved on to v2. The history trigger's ``INSERT OR IGNORE``
    is overridden by the upsert that fires it (SQLite gives the outer statement's conflict
    policy precedence), so v1 met itself in the history and the sync failed with
    ``UNIQUE constraint failed: case_history.id, case_history.version``."""
    with Store(tmp_path / "s.db") as s:
        s.apply_page("cases", [mk_case("c-1", 1)], "cur-1")
        s.apply_page("cases", [mk_case("c-1", 2)], "cur-2")  # v1 goes to the history
        s.begin_resync("cases")
        s.apply_page("cases", [mk_case("c-2", 1)], "r-1", resync=True)
        assert s.finish_resync("cases") == 1  # c-1 not delivered: dropped
        s.apply_page("cases", [mk_case("c-1", 1)], "cur-3")  # back, from the start of its feed
        s.apply_page("cases", [mk_case("c-1", 2)], "cur-4")  # and on: v1 superseded again
        assert s.case("c-1").version == 2 and s.cursor("cases") == "cur-4"
        rows = s.conn.execute("SELECT id, version FROM case_history ORDER BY id, version").fetchall()
        assert [tuple(r) for r in rows] == [("c-1", 1)]
