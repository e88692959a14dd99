"""Countdowns in the case panels (issue 13 §1): the "Kvar" column, at-risk rows marked with a
symbol, the at-risk count in the load panel. Scenario 01 at its instant (frozen clock)."""

from __future__ import annotations

import pytest

from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, make_app, settle


def _cell(table: VirtualTable, key: str, label: str) -> str:
    labels = [lab for lab, _w in table._columns]
    row = next(r for r in table.rows if r.key == key)
    return str(row.cells[labels.index(label)])


@pytest.mark.parametrize(("lang", "left", "risk"), [("sv", "Kvar", "Risk"), ("en", "Left", "Risk")])
async def test_kvar_column_counts_down_marks_at_risk_and_overdue(scenario01_db, lang, left, risk):
    db, sc = scenario01_db
    app = make_app(db, sc, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert _cell(active, "c-5", left) == "+5 min"  # P1 overdue by 5 minutes
        assert _cell(active, "c-6", left) == "◷ 1 h 30"  # at risk: a symbol, not colour alone
        assert _cell(active, "c-3", left) == "1 h 30"  # on time
        assert _cell(active, "c-1", left) == "–"  # no clock runs
        # the overdue countdown takes the row's severity colour
        row = next(r for r in active.rows if r.key == "c-5")
        labels = [lab for lab, _w in active._columns]
        assert str(row.cells[labels.index(left)].style) == "bold red"
        # the side panels carry it too
        overdue = app.query_one("#overdue", VirtualTable)
        assert _cell(overdue, "c-5", left) == "+5 min"
        # at-risk cases counted per unit in the load panel and on the board
        load = app.query_one("#load", VirtualTable)
        assert _cell(load, "vc-kungsgatan", risk) == "◷1"
        assert _cell(load, "vc-ryd", risk) == "0"
        assert app.board.at_risk_total == 1 and app.board.at_risk == {"vc-kungsgatan": 1, "vc-ryd": 0}
        assert app.board.at_risk_urgent == frozenset()  # c-6 is P5
        assert [h.at_risk for h in app.board.headers] == [1, 0]


async def test_load_panel_shows_present_and_later_today_per_profession(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        load = app.query_one("#load", VirtualTable)
        # present now / scheduled later today: nobody clinical comes later in scenario 01
        assert _cell(load, "vc-kungsgatan", "Vårdpers. nu/senare") == "läk 1/0 · ssk 2/0"


@pytest.mark.parametrize(("lang", "word"), [("sv", "Prognos vid stängning"), ("en", "Forecast at closing")])
async def test_the_load_panel_gives_the_forecast_for_closing(scenario01_db, lang, word):
    """Issue 13 §4: the board carries each unit's forecast; the load panel names the units
    expected to close with a backlog, or says nothing is left."""
    db, sc = scenario01_db
    app = make_app(db, sc, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = app.board
        assert board is not None and set(board.forecasts) == {"vc-kungsgatan", "vc-ryd"}
        f = board.forecasts["vc-kungsgatan"]
        assert f is not None and f.closes_at.hour == 17
        load = app.query_one("#load", VirtualTable)
        assert word in load.note


@pytest.mark.parametrize("bell", [True, False])
async def test_a_p2_case_turning_at_risk_is_said_before_the_breach(tmp_path, bell):
    """Issue 13 §1 (the optional bell): a P2 case waiting since 14:00 (limit 60 min) is at 50%
    at 14:30; 16 minutes later it has used 77% and turns at risk — a toast names it with its
    time left, and the bell rings when the configuration asks for it. Said once, not on every board."""
    import copy
    from datetime import timedelta

    from conftest import ingest_scenario, load_scenario

    from direkt_tui.config import Config, UiConfig
    from direkt_tui.store.db import Store
    from direkt_tui.ui.app import DirektApp
    from direkt_tui.ui.clock import FrozenClock

    from .conftest import SCENARIO_01

    sc = load_scenario(SCENARIO_01)
    new = copy.deepcopy(next(c for c in sc["cases"] if c["id"] == "c-5"))
    new.update(id="c-new", priority=2, created_at="2026-11-26T13:00:00Z", updated_at="2026-11-26T13:00:00Z")
    sc = {**sc, "cases": [*sc["cases"], new]}
    db = tmp_path / "risk.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    from direkt_tui.domain.timeutil import require_instant

    clock = FrozenClock(require_instant(sc["as_of"]))
    app = DirektApp(db, Config(ui=UiConfig(bell=bell)), clock=clock)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "c-new" not in app.board.at_risk_urgent
        toasts = len(app._notifications)
        clock.advance(timedelta(minutes=16))
        app.request_refresh()
        await settle(pilot)
        assert app.board.at_risk_urgent == frozenset({"c-new"})
        said = [n.message for n in list(app._notifications)[toasts:]]
        assert "Nära gränsen (P1–2), kvar: c-new (14 min)" in said
        assert len(rings) == (1 if bell else 0)
        app.request_refresh()  # the next board: nothing new to say
        await settle(pilot)
        assert len(rings) == (1 if bell else 0)
        assert [n.message for n in list(app._notifications)[toasts:]].count(said[-1]) == 1
        # another choice of units is not news: one unit alone, then all again, says nothing new
        from dataclasses import replace

        board = app.board
        app._notify_at_risk(replace(board, unit_ids=("vc-ryd",), at_risk_urgent=frozenset()))
        app._notify_at_risk(board)
        assert len(rings) == (1 if bell else 0)
        assert [n.message for n in list(app._notifications)[toasts:]].count(said[-1]) == 1


async def test_the_worker_prepares_what_the_ui_thread_swaps_in(scenario01_db):
    """Region performance (issue 13 §5): each panel's row positions, the critical findings' keys
    and the units an overdue P1–2 case raised are worked out with the board, in its worker."""
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = app.board
        for pid, rows in board.panels().items():
            assert board.indexes[pid] == {r.key: i for i, r in enumerate(rows)}
        assert board._critical is not None and board._raised is not None  # kept, not re-derived
        assert board.raised_by() == {"vc-kungsgatan": ["c-5"]}  # scenario 01: c-5, P1 overdue
        active = app.query_one("#active", VirtualTable)
        assert active._index is board.indexes["active"]  # swapped in, not rebuilt on the UI thread
