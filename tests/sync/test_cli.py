"""``direkt-tui sync --once / --watch``: exit codes, one-line errors, clean shutdown, and a
sync process killed with SIGKILL mid-page."""

from __future__ import annotations

import base64
import io
import os
import queue
import signal
import subprocess
import sys
import threading
from argparse import Namespace
from datetime import UTC
from pathlib import Path

import pytest
from sync.support import TOKEN, Sleeps, assert_same_tables, make_world, store_versions, world_versions

from direkt_tui.config import Config
from direkt_tui.sim.faults import FeedGate
from direkt_tui.sim.server import SimServer
from direkt_tui.store.db import Store
from direkt_tui.sync.cli import run_sync
from direkt_tui.sync.engine import RetryPolicy

ROOT = Path(__file__).resolve().parents[2]


def env_for(tmp_path: Path, token: str | None = TOKEN) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DIREKT_API_TOKEN"}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    if token is not None:
        env["DIREKT_API_TOKEN"] = token
    return env


def sync_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "direkt_tui.cli", "sync", *args]


def args(db: Path, api: str, **kw) -> Namespace:
    base = dict(db=db, api=api, config=None, unit=None, lang=None, once=True, watch=False)
    base.update(kw)
    return Namespace(**base)


# ------------------------------------------------------------------------------- --once
def test_once_succeeds_and_exits_0(tmp_path, sim, world):
    db = tmp_path / "s.db"
    p = subprocess.run(sync_cmd("--once", "--api", sim.base_url, "--db", str(db)), env=env_for(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("synced in ") and "cases 40" in p.stdout
    assert p.stderr == ""
    assert store_versions(db, "cases") == world_versions(world, "cases")


def test_once_with_a_wrong_token_exits_2_with_one_line(tmp_path, sim):
    db = tmp_path / "s.db"
    p = subprocess.run(sync_cmd("--once", "--api", sim.base_url, "--db", str(db)),
                       env=env_for(tmp_path, token="wrong-token-1234"), capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "401" in lines[0] and "DIREKT_API_TOKEN" in lines[0]
    assert "wrong-token-1234" not in p.stderr and "Traceback" not in p.stderr


def test_once_against_an_unreachable_api_exits_1_with_one_line(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    rc = run_sync(args(tmp_path / "s.db", "http://127.0.0.1:9/api/v1"), Config(), stdout=out, stderr=err,
                  sleep=Sleeps(), retry=RetryPolicy(max_attempts=3))
    assert rc == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "ConnectError" in lines[0] and "gave up after 3 attempts" in lines[0]
    assert "http://127.0.0.1:9/api/v1" in lines[0]  # the URL it tried (issue 12, item 5)
    # a first sync that failed before anything was stored leaves no empty store behind
    assert not (tmp_path / "s.db").exists()
    # a store that was there before keeps the failure in its sync health
    Store(tmp_path / "s.db").close()
    rc = run_sync(args(tmp_path / "s.db", "http://127.0.0.1:9/api/v1"), Config(), stdout=out, stderr=err,
                  sleep=Sleeps(), retry=RetryPolicy(max_attempts=3))
    assert rc == 1
    with Store(tmp_path / "s.db", read_only=True) as st:
        assert st.sync_health().consecutive_failures == 1


@pytest.mark.parametrize("kind", ["directory", "garbage", "newer"])
def test_unusable_store_exits_2_with_one_line(tmp_path, sim, kind):
    db = tmp_path / "bad.db"
    if kind == "directory":
        db.mkdir()
    elif kind == "garbage":
        db.write_bytes(b"this is not a database at all" * 100)
    else:
        import sqlite3

        c = sqlite3.connect(db)
        c.execute("PRAGMA user_version = 999")
        c.close()
    p = subprocess.run(sync_cmd("--once", "--api", sim.base_url, "--db", str(db)), env=env_for(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "store" in lines[0] and "Traceback" not in p.stderr


def test_bad_tls_config_exits_2(tmp_path, sim):
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(f'[api]\nclient_cert = "{tmp_path}/missing.pem"\n')
    p = subprocess.run(sync_cmd("--once", "--api", sim.base_url.replace("http:", "https:"), "--db",
                                str(tmp_path / "s.db"), "--config", str(cfg_file)),
                       env=env_for(tmp_path), capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "not found" in p.stderr and len(p.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------- --watch
def test_watch_prints_a_line_per_cycle_and_stops_cleanly_on_sigterm(tmp_path, sim, world):
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text("[sync]\nfeed_interval_seconds = 0.4\n")
    db = tmp_path / "s.db"
    proc = subprocess.Popen(sync_cmd("--watch", "--api", sim.base_url, "--db", str(db), "--config", str(cfg_file)),
                            env=env_for(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # lines are read by a thread: a blocking readline with a deadline checked between lines
    # could wait for ever when no line came (it did, on a machine whose clock was shifted)
    got: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [got.put(ln) for ln in iter(proc.stdout.readline, "")], daemon=True)
    reader.start()
    try:
        lines = []
        while len(lines) < 3:
            try:
                lines.append(got.get(timeout=60))  # a bound against a hang, not a timing assumption
            except queue.Empty:
                break
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
    reader.join(timeout=60)
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 0, err
    assert len(lines) == 3 and all(" ok in " in ln for ln in lines), lines
    assert "cases 40" in lines[0] and "cases 0" in lines[1]
    assert "Traceback" not in err
    with Store(db, read_only=True) as st:
        assert st.integrity_check() == "ok" and st.count("cases") == 40


def test_watch_stops_with_exit_2_on_auth_failure(tmp_path, sim):
    p = subprocess.run(sync_cmd("--watch", "--api", sim.base_url, "--db", str(tmp_path / "s.db")),
                       env=env_for(tmp_path, token="nope"), capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "401" in p.stderr and len(p.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------- SIGKILL mid-page
def _cursor_pos(cursor: str) -> int:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    return int(raw.split(":")[3])


PAGE, TOTAL = 250, 4000
# (k, in_flight) per run: the run gets k case pages and its request for page k + 1 is held; it is
# killed while waiting for it (in_flight False), or just as page k + 1 goes out (True: the kill
# lands anywhere from reading that page to committing it, or after, at the gate for page k + 2)
KILL_PLAN = ((1, False), (2, True), (0, False), (3, False), (1, True))


def test_sigkill_mid_page_leaves_a_sound_store_that_resumes_to_a_clean_sync(tmp_path, make_engine):
    """``sync --once`` processes killed with SIGKILL at known points of the case feed, chosen by
    events (the simulator's FeedGate holds a page request until the test lets it through), not
    by sleeping: after each kill the store is intact and holds exactly the cases before its
    cursor, every kill landed mid-feed, and a sync resumed from there equals a clean sync."""
    world = make_world(n_cases=TOTAL)
    world.set_faults(max_page_size=PAGE)
    with SimServer(world, token=TOKEN) as sim:
        db = tmp_path / "killed.db"
        cfg_file = tmp_path / "c.toml"
        cfg_file.write_text("[sync]\npage_size = 1000\n")
        held = 0
        counts = []
        for run, (k, in_flight) in enumerate(KILL_PLAN):
            gate = FeedGate("cases", allow=k)
            sim.feed_gate = gate
            err_file = tmp_path / f"run{run}.err"
            with err_file.open("wb") as err:
                proc = subprocess.Popen(sync_cmd("--once", "--api", sim.base_url, "--db", str(db), "--config",
                                                 str(cfg_file)), env=env_for(tmp_path),
                                        stdout=subprocess.DEVNULL, stderr=err)
            try:
                # the engine commits each page before it asks for the next: k pages are in
                assert gate.wait_waiting(timeout=120), \
                    f"run {run}: the sync never asked for case page {k + 1}: {err_file.read_text()!r}"
                if in_flight:
                    gate.allow(1)
                    assert gate.wait_passed(k + 1, timeout=120)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=60)
                gate.open()  # the held request's handler finishes (its client is gone)
            assert proc.returncode == -signal.SIGKILL  # killed, not finished
            with Store(db, read_only=True) as st:
                assert st.integrity_check() == "ok"
                n = st.count("cases")
                cursor = st.cursor("cases")
            # a page and its cursor commit together: the cases held are exactly those before it
            assert cursor is not None and n == _cursor_pos(cursor)
            before = held
            expected = {before + k * PAGE, before + (k + 1) * PAGE} if in_flight else {before + k * PAGE}
            assert n in expected, (k, in_flight, before, n)
            held = n
            counts.append(n)
        assert all(0 < c < TOTAL for c in counts), counts  # every kill landed in the middle of the feed
        sim.feed_gate = None
        world.set_faults(max_page_size=None)
        resumed = make_engine(sim.base_url, db.name)
        assert resumed.store.path == db
        resumed.sync_all()
        clean = make_engine(sim.base_url, "clean.db")
        clean.sync_all()
        assert_same_tables(db, clean.store.path)
        assert resumed.store.count("cases") == TOTAL


def test_status_lines():
    from datetime import datetime

    from direkt_tui.sync.cli import status_line
    from direkt_tui.sync.engine import CycleResult, FeedResult, SyncError

    t = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    r = CycleResult(t, t, t, {"cases": FeedResult("cases", changed=3, quarantined=1)}, None, None, 0.25)
    line = status_line(r, None)
    assert " ok in 0.2 s; changed: cases 3; quarantined 1; data as of 2026-11-26T13:30:00+00:00" in line
    assert " FAILED GET /units: HTTP 500" in status_line(None, SyncError("GET /units: HTTP 500"))
    assert "waiting" in status_line(None, None)
    assert "\n" not in line
