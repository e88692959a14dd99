"""The collector's full passes made when nobody types (``ui/idlegc.py``), not under a key press."""

from __future__ import annotations

import gc

import pytest

from direkt_tui.ui.idlegc import IDLE_SECONDS, MAX_INTERVAL, MIN_INTERVAL, NEEDED, IdleCollector, full_pass_due

from .conftest import SIZE, make_app, settle


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


# Python 3.14+ collects incrementally: the collector stays off there (``test_off_where_not_needed``)
needed = pytest.mark.skipif(not NEEDED, reason="Python 3.14+: an incremental collector, nothing to move")


@pytest.fixture
def full_passes():
    """The collector's generation-2 passes while the test runs (a list of their count)."""
    seen: list[int] = []

    def cb(phase, info):
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(cb)
    yield seen
    gc.callbacks.remove(cb)


def test_a_full_pass_is_due_when_idle_after_the_least_interval_or_after_the_longest_regardless():
    last = 0.0
    assert not full_pass_due(MIN_INTERVAL - 1, last_input=0.0, last_full=last)  # too soon, even idle
    assert full_pass_due(MIN_INTERVAL, last_input=MIN_INTERVAL - IDLE_SECONDS, last_full=last)  # idle long enough
    assert not full_pass_due(MIN_INTERVAL, last_input=MIN_INTERVAL - IDLE_SECONDS / 2, last_full=last)  # typing
    assert full_pass_due(MAX_INTERVAL, last_input=MAX_INTERVAL, last_full=last)  # typing, but too long without


@needed
def test_the_collector_makes_full_passes_only_when_due_and_gives_its_schedule_back(full_passes):
    before = gc.get_threshold()
    clock = FakeClock()
    idle = IdleCollector(clock)
    try:
        assert not idle.tick()  # not started: the collector's own schedule
        idle.start()
        full_passes.clear()  # (one the collector made on its own schedule before)
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10**9
        clock.t += MIN_INTERVAL / 2
        assert not idle.tick() and full_passes == []
        clock.t += MIN_INTERVAL
        idle.touched()  # a key now: not idle
        assert not idle.tick() and full_passes == []
        clock.t += IDLE_SECONDS
        assert idle.tick() and len(full_passes) == 1 and idle.passes == 1
        assert not idle.tick()  # just made one
        made_at = clock.t
        while clock.t - made_at < MAX_INTERVAL:  # typing without a pause: none until the longest interval
            assert idle.passes == 1, clock.t - made_at
            clock.t += IDLE_SECONDS / 2
            idle.touched()
            idle.tick()
        assert idle.passes == 2 and len(full_passes) == 2
    finally:
        idle.stop()
    assert gc.get_threshold() == before


@needed
async def test_the_app_holds_full_passes_while_it_runs_and_counts_keys_as_input(scenario01_db):
    before = gc.get_threshold()
    app = make_app(*scenario01_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.idle_gc.running and gc.get_threshold()[2] > 10**9
        app.idle_gc.last_input = -1.0
        await pilot.press("down")
        assert app.idle_gc.last_input > 0
    assert not app.idle_gc.running and gc.get_threshold() == before


@needed
def test_two_collectors_at_once_give_the_schedule_back_when_the_last_stops():
    before = gc.get_threshold()
    a, b = IdleCollector(FakeClock()), IdleCollector(FakeClock())
    try:
        a.start()
        b.start()
        a.stop()
        assert gc.get_threshold()[2] > 10**9  # b still runs
        b.stop()
        assert gc.get_threshold() == before
        b.start()  # and again
        assert gc.get_threshold()[2] > 10**9
    finally:
        a.stop()
        b.stop()
    assert gc.get_threshold() == before


def test_no_pass_while_a_board_worker_has_the_collector_paused(full_passes):
    """``gc_paused`` (a board being built): the pass waits for the next tick."""
    from direkt_tui.domain.perf import gc_paused

    clock = FakeClock()
    idle = IdleCollector(clock)
    idle.start()
    try:
        clock.t += MAX_INTERVAL
        with gc_paused():
            assert not idle.tick()
        assert idle.tick() == NEEDED
    finally:
        idle.stop()


def test_off_where_not_needed():
    """Where the collector has no long full passes (3.14+) nothing is changed; else it is."""
    before = gc.get_threshold()
    idle = IdleCollector(FakeClock())
    idle.start()
    try:
        assert idle.running == NEEDED
        assert (gc.get_threshold() != before) == NEEDED
    finally:
        idle.stop()
    assert gc.get_threshold() == before
