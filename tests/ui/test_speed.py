"""Speed and state (issue 12, items 6, 10, 12): offline review evaluates at the snapshot's
instant and opens Reservrutin; the shift report is written in a worker while the UI keeps
running, and saved where the composition root says."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from conftest import load_scenario

from direkt_tui.domain.timeutil import require_instant
from direkt_tui.reports import shift as shift_reports
from direkt_tui.store.db import Store
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.clock import FrozenClock
from direkt_tui.ui.screens.shiftwork import FallbackScreen, ReportScreen

from .conftest import SCENARIO_01, SIZE, settle, text_of, wait_for


@pytest.fixture
def old_store(tmp_path):
    """Scenario 01 in a store file, reviewed three days and five hours after its snapshot."""
    from conftest import ingest_scenario

    sc = load_scenario(SCENARIO_01)
    db = tmp_path / "old" / "s01.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    as_of = require_instant(sc["as_of"])
    return db, as_of, FrozenClock(as_of + timedelta(days=3, hours=5))


async def test_offline_evaluates_at_the_snapshot_and_opens_the_fallback_routine(old_store):
    db, as_of, clock = old_store
    app = DirektApp(db, clock=clock, offline=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.board is not None
        # the board is the snapshot's instant, not the wall clock three days later
        assert app.board.at == as_of and app.board.evaluation.at == as_of
        # Reservrutin opened by itself (README: "--offline … Reservrutin opens by itself")
        assert isinstance(app.screen, FallbackScreen)
        # and the screen says at which instant it is evaluated
        banner = text_of(app.query_one("#banner"))
        local = as_of.astimezone(app._zone()).strftime("%H:%M")
        assert "OFFLINE" in banner and f"bedömd vid {local}" in banner and "inte nu" in banner
        assert any("bedömd vid ögonblicksbilden" in n.message for n in app._notifications)
        # closing it leaves the board; it does not come back by itself on the next refresh
        await pilot.press("escape")
        app.request_refresh()
        await settle(pilot)
        assert not isinstance(app.screen, FallbackScreen) and app.board.at == as_of
        # F brings it back at once
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FallbackScreen)


async def test_offline_load_is_the_snapshots_not_invented(old_store):
    """The load panel at the snapshot's instant equals the board built at that instant; at the
    wall clock (three days on, waits grown) it would differ."""
    from direkt_tui.config import Config
    from direkt_tui.domain.rules import RuleEngine
    from direkt_tui.ui.model import BoardBuilder, CaseFilter

    db, as_of, clock = old_store
    with Store(db, read_only=True) as store:
        builder = BoardBuilder(store, RuleEngine(Config().params_for), "sv")
        then = builder.build(as_of, CaseFilter(), None)
        later = builder.build(clock.now(), CaseFilter(), None)
    load_then = [r.cells for r in then.load]
    assert load_then != [r.cells for r in later.load]  # the test can tell the two apart
    app = DirektApp(db, clock=clock, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [r.cells for r in app.board.load] == load_then


async def test_offline_look_back_starts_from_the_snapshot(old_store):
    db, as_of, clock = old_store
    app = DirektApp(db, clock=clock, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # the fallback routine
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.view_at == (as_of - timedelta(minutes=15)).replace(second=0, microsecond=0)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.view_at is None and app.board.at == as_of


async def test_shift_report_is_built_in_a_worker_while_the_ui_runs(live_app, monkeypatch, tmp_path):
    """``p`` must not freeze the UI: while the report is being built (held here by an event,
    as a long day's log would hold it for seconds) the clock keeps ticking and keys are
    answered; then the report shows and is saved in the reports folder, said on screen."""
    real = shift_reports.shift_report_markdown
    started, release = threading.Event(), threading.Event()

    def slow_report(*args, **kwargs):
        started.set()
        assert release.wait(30), "never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(shift_reports, "shift_report_markdown", slow_report)
    reports = tmp_path / "my-reports"
    app, _world, _live = live_app(reports_dir=reports)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert await wait_for(pilot, started.is_set)
        assert any("Skiftrapporten skrivs" in n.message for n in app._notifications)
        # the event loop runs: a timer fires and a key is answered while the report is held
        ticks: list[int] = []
        app.set_interval(0.01, lambda: ticks.append(1))
        assert await wait_for(pilot, lambda: len(ticks) >= 3)
        await pilot.press("question_mark")  # the help screen opens
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        assert not started.is_set() or not release.is_set()
        release.set()
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        assert screen.path is not None and screen.path.parent == reports and screen.path.exists()
        assert any(str(screen.path) in n.message for n in app._notifications)


async def test_a_second_report_in_the_same_minute_does_not_overwrite_the_first(live_app, tmp_path):
    app, _world, _live = live_app(reports_dir=tmp_path / "r")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paths = []
        for _ in range(2):
            await pilot.press("p")
            assert await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
            paths.append(app.screen.path)
            await pilot.press("escape")
            await pilot.pause()
        assert paths[0] != paths[1] and all(p.exists() for p in paths)
