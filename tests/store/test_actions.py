"""Outbox and audit chain on a real store file."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from builders import case, local

from direkt_tui.domain.models import Case
from direkt_tui.store import actions
from direkt_tui.store.actions import OutboxWrite
from direkt_tui.store.db import Store

T = local("2026-11-26 10:00")


def test_enqueue_writes_outbox_and_audit_together(tmp_path):
    with Store(tmp_path / "s.db") as s:
        writes = [OutboxWrite("assign", {"owner": {"type": "role", "profession": "nurse"}, "if_version": 1},
                              case_id=f"c-{i}", unit_id="vc-a") for i in range(3)]
        batch = actions.enqueue(s, T, "Anna (s-1)", "reassign", writes, {"target": "nurse"})
        rows = actions.batch_rows(s, batch)
        assert [r.status for r in rows] == ["pending"] * 3
        assert len({r.idempotency_key for r in rows}) == 3
        (entry,) = actions.audit_entries(s)
        assert (entry.actor, entry.action, entry.outcome) == ("Anna (s-1)", "reassign", "queued")
        assert entry.subject["cases"] == ["c-0", "c-1", "c-2"]
        # a failure inside the transaction leaves neither
        with pytest.raises(ValueError):
            actions.enqueue(s, T, "x", "reassign", [OutboxWrite("nonsense", {})])
        assert len(actions.outbox_rows(s)) == 3 and len(actions.audit_entries(s)) == 1


def test_outcomes_and_batch_audit(tmp_path):
    with Store(tmp_path / "s.db") as s:
        batch = actions.enqueue(s, T, "a", "reassign", [OutboxWrite("assign", {"if_version": 1}, case_id="c-1"),
                                                        OutboxWrite("assign", {"if_version": 1}, case_id="c-2")])
        r1, r2 = actions.batch_rows(s, batch)
        actions.mark_sending(s, r1.id, T)
        assert actions.due(s, T)[0].status == "sending"  # a crash here: it is sent again
        returned = Case.from_api(dict(case("c-1", created=T, status="waiting"), version=2))
        assert actions.finish(s, r1.id, T, "done", http_status=200, case=returned)
        assert not actions.finish(s, r1.id, T, "failed")  # already final
        assert s.case("c-1").version == 2
        actions.retry_later(s, r2.id, T, T + timedelta(seconds=5), "timeout")
        assert [r.id for r in actions.due(s, T)] == []
        assert [r.id for r in actions.due(s, T + timedelta(seconds=5))] == [r2.id]
        actions.finish(s, r2.id, T, "conflict", http_status=409, code="version_conflict")
        entries = actions.audit_entries(s)
        assert [e.action for e in entries] == ["reassign", "outcome"]
        assert entries[-1].outcome == "partial"
        assert entries[-1].detail["cases"] == {"c-1": "done", "c-2": "conflict:version_conflict"}
        assert actions.pending_count(s) == 0


def test_audit_is_append_only_and_verified(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        for i in range(5):
            actions.audit_append(s, T + timedelta(minutes=i), "Anna", "reveal_pnr", {"case": f"c-{i}"})
        assert actions.audit_verify(s) == []
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("UPDATE audit SET actor = 'Mallory' WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("DELETE FROM audit WHERE seq = 2")
        # someone with the file drops the trigger and edits an entry: verify finds it
        s.conn.execute("DROP TRIGGER audit_no_update")
        s.conn.execute("UPDATE audit SET actor = 'Mallory' WHERE seq = 2")
        assert actions.audit_verify(s) == ["entry 2: its content does not match its hash (edited)"]


def test_audit_verify_finds_removed_entries(tmp_path):
    with Store(tmp_path / "s.db") as s:
        for i in range(5):
            actions.audit_append(s, T, "Anna", "sign_off", {"n": i})
        s.conn.execute("DROP TRIGGER audit_no_delete")
        s.conn.execute("DELETE FROM audit WHERE seq = 3")
        problems = actions.audit_verify(s)
        assert any("missing" in p for p in problems) and any("entry 4" in p for p in problems)


def test_audit_verify_finds_a_truncated_tail(tmp_path):
    with Store(tmp_path / "s.db") as s:
        for i in range(3):
            actions.audit_append(s, T, "Anna", "sign_off", {"n": i})
        s.conn.execute("DROP TRIGGER audit_no_delete")
        s.conn.execute("DELETE FROM audit WHERE seq = 3")
        assert any("removed from the end" in p for p in actions.audit_verify(s))
