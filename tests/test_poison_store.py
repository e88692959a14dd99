"""Issue 10 §3, reading defends too: a store written by an older version that holds a poison
value (an instant of year 1 or 9999, a version beyond 2^53-1, text that is no instant) does not
crash ``report``, ``calllist`` or the application. The row is skipped with one warning line on
stderr (a notice in the application) and the JSON stays valid. The values are written with raw
sqlite3 into a real store file; the commands run as subprocesses, the application with Pilot."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui.config import Config
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock

SCENARIO_01 = next(p for p in SCENARIOS if p.stem.startswith("01"))


def open_case_ids(db: Path, n: int) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM cases WHERE status != 'closed' ORDER BY id LIMIT ?", (n,))]
    finally:
        conn.close()


@pytest.fixture
def poisoned_store(tmp_path) -> tuple[Path, dict, list[str]]:
    """Scenario 01 in a real store, then what an older version could have written into it."""
    sc = load_scenario(SCENARIO_01)
    db = tmp_path / "old" / "s01.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    bad = open_case_ids(db, 4)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE cases SET created_at = '0001-01-01T00:00:00.000000+00:00' WHERE id = ?", (bad[0],))
    conn.execute("UPDATE cases SET version = ? WHERE id = ?", (2**63 - 1, bad[1]))
    conn.execute("UPDATE cases SET updated_at = '9999-12-31T23:59:59.000000+00:00' WHERE id = ?", (bad[2],))
    conn.execute("UPDATE cases SET contact_attempts = '[\"19121212-1212\"]' WHERE id = ?", (bad[3],))
    shift = conn.execute("SELECT id FROM shifts ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE shifts SET \"end\" = '9999-12-31T00:00:00.000000+00:00' WHERE id = ?", (shift,))
    conn.execute("UPDATE sync_state SET value = '9999-12-31T23:59:59.000000+00:00' WHERE key = 'data_as_of'")
    conn.commit()
    conn.close()
    return db, sc, bad


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "direkt_tui.cli", *args], capture_output=True, env=env, timeout=60)


def one_warning(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("direkt-tui: warning: 4 stored cases skipped: "), line
    assert "1 stored shift skipped: field 'end'" in line
    for field in ("created_at", "updated_at", "version", "contact_attempts"):
        assert f"'{field}'" in line, line
    assert "19121212" not in line and "9999" not in line.replace("2000-2100", "")
    return line


def test_report_skips_the_rows_with_one_warning_and_the_json_stays_valid(poisoned_store, tmp_path):
    db, sc, bad = poisoned_store
    proc = run("report", "--db", str(db), "--at", sc["as_of"], "--format", "json", tmp_path=tmp_path)
    one_warning(proc)
    doc = json.loads(proc.stdout.decode("utf-8"))
    assert doc["schema"] == "direkt-tui/report/1"
    assert doc["data_as_of"] == sc["as_of"]  # the end of that sync, not 9999
    assert not set(bad) & {f["case_id"] for f in doc["findings"]}
    # the other findings of the scenario are all there
    expected = {(e["rule"], e["unit_id"], e["case_id"]) for e in sc["expected_findings"] if e["case_id"] not in bad}
    got = {(f["rule"], f["unit_id"], f["case_id"]) for f in doc["findings"]}
    assert expected - got <= {e for e in expected if e[0] in ("absent_owner", "long_absence", "owner_shift_ending",
                                                               "unscheduled_profession", "no_clinician_present")}


def test_markdown_report_and_calllist_skip_too(poisoned_store, tmp_path):
    db, sc, bad = poisoned_store
    md = run("report", "--db", str(db), "--at", sc["as_of"], "--format", "markdown", tmp_path=tmp_path)
    one_warning(md)
    assert md.stdout.decode("utf-8").startswith("#")
    for fmt in ("markdown", "csv"):
        proc = run("calllist", "--db", str(db), "--at", sc["as_of"], "--format", fmt, tmp_path=tmp_path)
        one_warning(proc)
        text = proc.stdout.decode("utf-8")
        assert not any(b in text for b in bad)
        if fmt == "csv":
            assert list(csv.reader(io.StringIO(text)))[0]  # a header row, the rest parses


def test_a_clean_store_gives_no_warning(tmp_path):
    sc = load_scenario(SCENARIO_01)
    db = tmp_path / "clean.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    proc = run("report", "--db", str(db), "--at", sc["as_of"], tmp_path=tmp_path)
    assert proc.returncode == 0 and proc.stderr == b""


def test_incremental_snapshots_skip_the_row_every_time(poisoned_store):
    db, sc, bad = poisoned_store
    at = require_instant(sc["as_of"])
    with Store(db) as s:
        first = s.snapshot(around=at, identity=False)
        assert not set(bad) & {c.id for c in first.cases}
        assert set(s.last_skipped["cases"]) == set(bad)
        # another case changes (a new version): the next snapshot rebuilds only that one
        other = next(c for c in first.cases if c.id not in bad)
        s.conn.execute("UPDATE cases SET version = version + 1 WHERE id = ?", (other.id,))
        again = s.snapshot(around=at, identity=False)
        assert {c.id for c in again.cases} == {c.id for c in first.cases}
        assert set(s.last_skipped["cases"]) == set(bad)
        assert s.case(bad[0]) is None and s.cases(bad) == []
        assert s.snapshot_at(at - timedelta(minutes=30)) is not None


async def test_the_application_shows_a_notice_and_the_board(poisoned_store):
    db, sc, bad = poisoned_store
    app = DirektApp(db, Config(), clock=FrozenClock(require_instant(sc["as_of"])), offline=True)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        for _ in range(600):  # the first board, built in a worker thread
            await pilot.pause(0.05)
            if app.board is not None:
                break
        await pilot.pause(0.2)
        assert app.board is not None
        keys = [r.key for r in app.board.active]
        assert keys and not set(bad) & set(keys)
        notices = [n.message for n in app._notifications]
        assert any("4 lagrade poster hoppades över" in m or "5 lagrade poster hoppades över" in m for m in notices)
        assert not any("19121212" in m for m in notices)
        # a refresh does not repeat the notice
        count = len(notices)
        app.request_refresh()
        await pilot.pause(0.5)
        assert len(list(app._notifications)) == count
        # looking back works on that store as well
        await pilot.press("left_square_bracket")
        await pilot.pause(0.5)
        assert app.board is not None
