"""``direkt-tui audit verify | list``: an intact chain passes; an edited or a removed entry is
reported with its number and exit 1; an unusable store is one line on stderr and exit 2."""

from __future__ import annotations

import argparse
import io
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from direkt_tui.reports.audit import configure_parser, run_audit
from direkt_tui.store import actions
from direkt_tui.store.actions import OutboxWrite
from direkt_tui.store.db import Store
from outbox.support import AS_OF


def _args(db: Path | None, command: str = "verify") -> argparse.Namespace:
    return argparse.Namespace(db=db, audit_command=command)


def _run(db: Path | None, command: str = "verify") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_audit(_args(db, command), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "data" / "direkt.db"
    with Store(path) as s:
        for i in range(4):
            actions.audit_append(s, AS_OF + timedelta(minutes=i), "Anna (s-1)", "reveal_pnr", {"case": f"c-{i}"})
        batch = actions.enqueue(s, AS_OF + timedelta(minutes=5), "Anna (s-1)", "reassign",
                                [OutboxWrite("assign", {"owner": {"type": "role", "profession": "doctor"},
                                                        "if_version": 1}, case_id="c-1", unit_id="vc-a")])
        (row,) = actions.batch_rows(s, batch)
        actions.finish(s, row.id, AS_OF + timedelta(minutes=6), "done", http_status=200, actor="Anna (s-1)")
    return path


def _tamper(db: Path, *sql: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for statement in sql:
            conn.execute(statement)
    finally:
        conn.close()


def test_intact_chain_passes(db):
    assert _run(db) == (0, "Granskningsloggen är hel (6 poster).\n", "")


def test_edited_entry_is_found(db):
    _tamper(db, "DROP TRIGGER audit_no_update", "UPDATE audit SET actor = 'Mallory' WHERE seq = 3")
    code, out, err = _run(db)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1 and "post 3" in lines[0] and "ändrad" in lines[0]


def test_removed_entry_is_found(db):
    _tamper(db, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE seq = 2")
    code, out, _ = _run(db)
    assert code == 1
    assert "posterna 2–2 saknas" in out and "post 3" in out


def test_removed_tail_is_found(db):
    _tamper(db, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE seq = 6")
    code, out, _ = _run(db)
    assert code == 1 and "borttagna från slutet" in out


def test_verify_never_writes(db):
    before = db.read_bytes()
    assert _run(db)[0] == 0
    assert db.read_bytes() == before


def test_list_prints_the_entries(db):
    code, out, err = _run(db, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["Nr", "Tid", "Vem", "Åtgärd", "Avser", "Utfall"]
    assert len(lines) == 2 + 6 + 2 and lines[-2] == "6 poster." and lines[-1].startswith("Kedjans huvud: 6:")
    assert lines[2].split()[:3] == ["1", "2026-11-26", "14:30:00"]  # local time
    assert "Visat personnummer" in lines[2] and "Anna (s-1)" in lines[2] and "c-0" in lines[2]
    assert "Lagt över ärende" in lines[6] and "köad" in lines[6]
    assert lines[7].rstrip().endswith("ok (klara 1)")


@pytest.mark.parametrize("make", ["missing", "garbage", "newer"])
def test_unusable_store_is_one_line_and_exit_2(tmp_path, make):
    path = tmp_path / "x.db"
    if make == "garbage":
        path.write_text("this is not a database\n" * 100)
    elif make == "newer":
        with Store(path):
            pass
        _tamper(path, "PRAGMA user_version = 999")
    code, out, err = _run(path)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("direkt-tui audit: ")


def test_default_db_path(tmp_path, monkeypatch):
    import direkt_tui.config as config

    monkeypatch.setattr(config, "default_db_path", lambda: tmp_path / "nowhere.db")
    code, _, err = _run(None)
    assert code == 2 and "nowhere.db" in err


def test_as_a_command(db, tmp_path):
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    assert parser.parse_args(["verify", "--db", str(db)]).db == db
    assert parser.parse_args(["--db", str(db), "list"]).db == db
    p = subprocess.run([sys.executable, "-m", "direkt_tui.reports.audit", "verify", "--db", str(db)],
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout.strip()) == (0, "Granskningsloggen är hel (6 poster).")
