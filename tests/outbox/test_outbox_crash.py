"""SIGKILL during a 200-case bulk reassignment: after a restart every case is assigned exactly
once, the store is intact and the audit chain verifies.

The kill lands at a known point, by events, not by timing: the simulator answers the first 50
assignments; every later one it applies and records but holds its answer, so when the test
kills the sender some rows are applied on the platform, ``sending`` in the store and without an
answer — the case a crash makes, and the reason a key is sent again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from direkt_tui.sim import SimServer
from direkt_tui.store import actions
from direkt_tui.store.db import Store
from direkt_tui.sync.outbox import OutboxSender, assign_write
from outbox.support import AS_OF, TOKEN, Applied, client_for, fill_store, make_world, store_path

N = 200
ANSWERED = N // 4
PROC = Path(__file__).with_name("sender_proc.py")


class HoldAnswers:
    """Wrap ``world.idempotent`` (the write path, after the write is applied and its result
    recorded): the first ``answered`` assignments are answered at once, later ones are held
    until :meth:`release` — applied, but their answer not yet sent."""

    def __init__(self, world, answered: int):
        self.answered = answered
        self.passed = 0
        self.held = 0
        self._cond = threading.Condition()
        self._released = threading.Event()
        inner = world.idempotent

        def idempotent(key, scope, fn):
            out = inner(key, scope, fn)
            if "/assign" in scope:
                with self._cond:
                    hold = self.passed >= self.answered
                    if hold:
                        self.held += 1
                    else:
                        self.passed += 1
                    self._cond.notify_all()
                if hold:
                    self._released.wait(120)
            return out

        world.idempotent = idempotent

    def wait_held(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.held >= 1, timeout)

    def release(self) -> None:
        self._released.set()


def _statuses(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_mid_bulk_reassignment_applies_every_case_exactly_once(tmp_path):
    world = make_world(N + 10)
    applied = Applied(world)
    hold = HoldAnswers(world, ANSWERED)
    db = store_path(tmp_path)
    with SimServer(world, port=0, token=TOKEN) as srv:
        with Store(db) as store:
            fill_store(store, world)
            before = {f"c-{i}": store.case(f"c-{i}").version for i in range(N)}
            writes = [assign_write(store.case(f"c-{i}"), {"type": "role", "profession": "doctor"}) for i in range(N)]
            batch = actions.enqueue(store, AS_OF, "Anna (s-1)", "reassign", writes, {"to": "doctor"})

        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(Path.cwd()), os.environ.get("PYTHONPATH")])))
        proc = subprocess.Popen([sys.executable, str(PROC), str(db), srv.base_url, TOKEN], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # a bound against a hang, not a timing assumption
            assert hold.wait_held(120), f"the sender never got past {ANSWERED} answers: {_statuses(db)}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            hold.release()  # the held answers go to a dead client
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
        proc.stdout.close()
        proc.stderr.close()
        at_kill = _statuses(db)
        assert at_kill.get("done", 0) <= ANSWERED, f"more done than the platform answered: {at_kill}"
        assert at_kill.get("sending", 0) >= 1, f"nothing was in flight at the kill: {at_kill}"

        # restart: rows left 'sending' are sent again with their key
        with Store(db) as store, client_for(srv.base_url) as client:
            sender = OutboxSender(store, client, concurrency=8)
            assert sender.run_until_idle(30)
            sender.close()
            rows = actions.batch_rows(store, batch)
            assert [r.status for r in rows] == ["done"] * N, [
                    (r.case_id, r.status, r.attempts, r.http_status, r.code, r.detail) for r in rows if r.status != "done"
                ]
            resent = [r for r in rows if r.attempts > 1]
            for i in range(N):
                cid = f"c-{i}"
                assert store.case(cid).version == before[cid] + 1
                assert store.case(cid).owner.profession == "doctor"
            assert store.integrity_check() == "ok"
            assert actions.audit_verify(store) == []
            entries = actions.audit_entries(store)
            assert [(e.action, e.outcome) for e in entries] == [("reassign", "queued"), ("outcome", "ok")]
            assert entries[-1].detail["counts"] == {"done": N}

    cases = world.entities("cases")
    for i in range(N):
        cid = f"c-{i}"
        assert cases[cid]["version"] == before[cid] + 1, cid
        assert cases[cid]["owner"] == {"type": "role", "profession": "doctor"}
        assert applied.calls[("assign", cid)] == 1, f"{cid} reached the world {applied.calls[('assign', cid)]} times"
        assert applied.counts[("assign", cid)] == 1
    assert sum(applied.counts.values()) == N
    assert resent, "no row was sent again after the kill"
