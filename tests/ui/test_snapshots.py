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
    """The simulator goes down; after the stale limit the board turns to outage mode and the
    fallback routine comes up by itself.

    Every step waits for an event, never for time (the picture used to depend on the machine's
    speed): the sync runs only when the test asks, so there is exactly one failed cycle, and its
    first failing request is GET /capabilities (reference data is due on the frozen clock).
    Textual neither lays out nor repaints the screen below a modal screen until it is on top
    again, so what showed behind the routine (a toast, a table row) depended on how far the
    board had got when the routine opened. The test therefore closes the routine once the
    outage and its toasts have all arrived, clears the toasts with the board on top, and opens
    the routine again with ``F``: the board behind it is the settled one."""
    from datetime import timedelta

    from apscheduler.triggers.interval import IntervalTrigger

    from direkt_tui.i18n import t
    from direkt_tui.sync.engine import RetryPolicy
    from direkt_tui.ui.screens.shiftwork import FallbackScreen

    from .conftest import wait_for

    app, world, live = live_app()
    engine = live.scheduler.engine
    engine.retry = RetryPolicy(max_attempts=1, max_retry_after=0.1)
    # no run at start-up and none every 15 s: the test's "r" is the only sync cycle
    live.scheduler.scheduler.reschedule_job("feeds", trigger=IntervalTrigger(days=1))
    cycles: list = []
    hook = live.scheduler.on_cycle

    def counted(result, exc):
        hook(result, exc)
        cycles.append(exc)

    live.scheduler.on_cycle = counted
    failed, entered = t("toast.sync_failed", "sv", error=""), t("outage.entered", "sv")

    def toasts() -> list[str]:
        return [n.message for n in app._notifications]

    async def outage(pilot):
        await settle(pilot)
        world.set_faults(outage=True)
        app.clock.advance(timedelta(minutes=6))
        await pilot.press("r")
        assert await wait_for(pilot, lambda: app.outage, timeout=60)
        # a notification is a message: it is in the list once the app has handled it
        assert await wait_for(pilot, lambda: any(m.startswith(failed) for m in toasts()) and entered in toasts(),
                              timeout=60), toasts()
        await settle(pilot)
        assert len(cycles) == 1 and "GET /capabilities: HTTP 503" in str(cycles[0]), cycles
        assert isinstance(app.screen, FallbackScreen)
        await pilot.press("escape")
        await settle(pilot)
        app.clear_notifications()  # toasts expire on their own timers: not part of the picture
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FallbackScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=outage)


def test_load_detail(snap_compare, tmp_path):
    """The load panel's detail view with its chart (issue 13 §4), on scenario 01 with four
    earlier Thursdays kept (the same store as tests/ui/test_load_detail.py)."""
    from .test_load_detail import _open_load, history_store

    db, sc = history_store(tmp_path)
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_open_load)


def test_load_detail_english_at_80x24(snap_compare, tmp_path):
    from .test_load_detail import _open_load, history_store

    async def open_and_scroll(pilot):
        await _open_load(pilot)
        await pilot.press("end")  # the view scrolls to the chart (lower at this height)
        await pilot.pause()

    db, sc = history_store(tmp_path)
    assert snap_compare(make_app(db, sc, lang="en"), terminal_size=(80, 24), run_before=open_and_scroll)
