"""The simulator's earlier weeks synced into a real store over loopback: the load detail's
typical day and the forecast for closing then read their four weeks of history from the store
(``generate_world(history_weeks=4)``, as ``direkt-tui demo`` serves them)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from direkt_tui.config import Config
from direkt_tui.reports.curve import day_curve
from direkt_tui.reports.forecast import unit_forecast
from direkt_tui.sim import SimServer, generate_world
from direkt_tui.store.db import Store
from direkt_tui.sync.client import ApiClient
from direkt_tui.sync.engine import SyncEngine

START = "2026-11-26T07:30:00+01:00"  # a Thursday; the four Thursdays before are working days


def _synced_at_ten(tmp_path, **kw):
    world = generate_world(seed=11, start=START, speed=0, **kw)
    server = SimServer(world, token="t")
    server.start()
    try:
        with ApiClient(server.base_url, token="t") as client, Store(tmp_path / "h.db") as store:
            engine = SyncEngine(store, client, Config(), clock=world.now)
            engine.sync_all()
            world.advance(2.5 * 3600)  # 10:00
            engine.sync_all()
            at = world.now()
            snap = store.snapshot(around=at)
            out = []
            for unit in store.units():
                if not unit.activated:  # does not use 1177 direkt: no cases
                    continue
                f = unit_forecast(store, snap, unit, at)
                if f is None:
                    continue
                out.append((unit.id, day_curve(store, unit, at), f))
            return at, out
    finally:
        server.stop()


@pytest.mark.parametrize("same_weekday", [True, False])
def test_four_weeks_of_history_reach_the_typical_day_and_the_forecast(tmp_path, same_weekday):
    at, units = _synced_at_ten(tmp_path, history_weeks=4, history_same_weekday=same_weekday)
    assert at == datetime.fromisoformat(START) + timedelta(hours=2.5)
    assert len(units) >= 3
    for uid, curve, f in units:
        assert curve is not None and curve.history_days == 4, uid
        assert any(v for v in curve.typical if v), uid  # the typical day has waiting cases
        assert f.arrivals_method == "history" and f.history_days == 4, uid
        assert f.arrivals > 0, uid


def test_without_history_there_is_none(tmp_path):
    _, units = _synced_at_ten(tmp_path)
    assert units
    for uid, curve, f in units:
        assert curve is not None and curve.history_days == 0, uid
        assert f.arrivals_method != "history" and f.history_days == 0, uid
