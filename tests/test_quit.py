"""Quitting (issue 12, item 11): ``q`` ends the program promptly after long use and loses
nothing.

Profiled on a real ``direkt-tui demo`` in tmux (160×48): after four minutes at the demo's
speed, ``q`` left the application in 0.3 s, and then the interpreter's own teardown took 6.2 s
(its final garbage collection of the session's objects; a sync job or an outbox request in
flight, or a board or report thread worker still running, would also be joined there — by
``concurrent.futures`` and by asyncio's default executor — up to its deadline, or for ever).

The quit path is tested through the real composition (simulator, live sync, outbox, the demo's
application, headless) in its own process, in terms of order, not of seconds: while a sync job
and a shift report are held on an event that is never set, ``q`` must still end the process,
and the write queued while the platform was down must be in the store file afterwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from direkt_tui.store import actions
from direkt_tui.store.db import Store

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path

    from direkt_tui import launch
    from direkt_tui.config import Config
    from direkt_tui.domain import writes
    from direkt_tui.reports import shift as reports

    workdir = Path(sys.argv[1])
    never = threading.Event()  # what the held work waits for: never set
    held = {"report": threading.Event(), "sync": threading.Event()}

    def held_report(*args, **kwargs):
        held["report"].set()
        never.wait()

    reports.shift_report_markdown = held_report
    server, live, db, cfg = launch.start_demo_backend(Config(), seed=24, speed=30.0, workdir=workdir)
    engine = live.scheduler.engine
    real_feeds = engine.feeds_job
    hold_sync = threading.Event()

    def feeds_job():
        if hold_sync.is_set():  # a long sync cycle, in flight when q comes
            held["sync"].set()
            never.wait()
        return real_feeds()

    engine.feeds_job = feeds_job
    app = launch.demo_app(server, live, db, cfg, "sv")

    async def until(pilot, condition):
        while not condition():
            await pilot.pause(0.05)

    async def auto_pilot(pilot):
        await until(pilot, lambda: app.boards_built >= 2)  # some cycles of real use
        unit = app.board.unit_ids[0]
        server.world.set_faults(outage=True)  # the platform down: the write stays queued
        live.enqueue("Test", "coordinator_role", [writes.set_coordinator(unit, None)], {"test": 1})
        hold_sync.set()
        live.sync_now()
        await until(pilot, held["sync"].is_set)
        await pilot.press("p")  # the shift report, held in its worker
        await until(pilot, held["report"].is_set)
        print("held", flush=True)
        await pilot.press("q")

    launch._run_live(app, live, server.stop, headless=True, size=(120, 40), auto_pilot=auto_pilot)
    print("closed", flush=True)
    launch.exit_now(0)
    """
)


def test_quit_does_not_wait_for_work_in_flight_and_keeps_queued_writes(tmp_path):
    script = tmp_path / "quit.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,  # generous: the held work never ends, so waiting for it would never return
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["held", "closed"], proc.stdout + proc.stderr[-3000:]
    # nothing lost: the write queued during the outage is in the store file, with its audit entry
    with Store(tmp_path / "demo.db", read_only=True) as store:
        rows = actions.outbox_rows(store)
        assert [(r.kind, r.status) for r in rows if r.kind == "coordinator"] in (
            [("coordinator", "pending")],
            [("coordinator", "sending")],
        )
        assert "coordinator_role" in [e.action for e in actions.audit_entries(store)]
        assert actions.audit_verify(store) == []
