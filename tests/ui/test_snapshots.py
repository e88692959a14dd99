"""Snapshot tests (pytest-textual-snapshot): fixed terminal size, frozen clock, scenario 01."""

from __future__ import annotations

from .conftest import SIZE, make_app, settle


async def _ready(pilot) -> None:
    await settle(pilot)


def test_main_screen(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_ready)


def test_case_detail(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def open_detail(pilot):
        await settle(pilot)
        pilot.app.query_one("#active").move_to_key("c-1")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=open_detail)


def test_help_screen(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=open_help)


def test_filtered_list(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def filtered(pilot):
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"prio:3", "enter")
        await settle(pilot)

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=filtered)


def test_main_screen_english(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc, lang="en"), terminal_size=SIZE, run_before=_ready)


def _press_then_ready(*keys):
    async def run(pilot):
        await settle(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()

    return run


def test_checklist_start(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_press_then_ready("1"))


def test_checklist_during(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_press_then_ready("2"))


def test_checklist_end(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_press_then_ready("3"))


def test_offline_banner(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc, offline=True), terminal_size=SIZE, run_before=_ready)


def test_outage_mode_from_the_simulator(snap_compare, live_app):
    """The simulator goes down; after the stale limit the board turns to outage mode."""
    from datetime import timedelta

    from direkt_tui.sync.engine import RetryPolicy

    from .conftest import wait_for

    app, world, live = live_app()
    engine = live.scheduler.engine
    engine.retry = RetryPolicy(max_attempts=1, max_retry_after=0.1)

    async def outage(pilot):
        await settle(pilot)
        world.set_faults(outage=True)
        app.clock.advance(timedelta(minutes=6))
        await pilot.press("r")
        assert await wait_for(pilot, lambda: app.outage, timeout=15)
        await settle(pilot)
        app.clear_notifications()  # toasts expire on their own timers: not part of the picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=outage)
