"""Issue 12, items 17–20 and 23, the alerts' actions, and NO_COLOR (issue 14): the layout at
80×24, 120×40 and 160×48, the alert bar capped and acted on, named notices, the load level's
reason, severity readable without colour."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, ingest_scenario, load_scenario

from direkt_tui.store.db import Store
from direkt_tui.ui.widgets.alerts import AlertBar
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import make_app, settle, text_of

SCENARIO_02 = next(p for p in SCENARIOS if p.stem.startswith("02"))


@pytest.fixture
def scenario02_db(tmp_path):
    sc = load_scenario(SCENARIO_02)
    db = tmp_path / "ui" / "s02.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    return db, sc


def _work_rows(app) -> int:
    active = app.query_one("#active", VirtualTable)
    return active.content_region.height - 1  # the header line


# -- item 17: the alert bar is capped, A shows them all ----------------------------------------------
async def test_alerts_are_capped_at_80x24_and_A_shows_them_all(scenario02_db):
    db, sc = scenario02_db
    app = make_app(db, sc)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one("#alerts", AlertBar)
        assert len(bar.alerts) == 3
        assert bar.region.height == 3 and "A visar alla" not in text_of(bar)  # a third line shows the third
        bar.set_alerts(bar.alerts * 3)  # nine alerts (eight alert lines left the list 3 rows before)
        app.relayout()
        await pilot.pause()
        shown = text_of(bar)
        assert "och 7 till – A visar alla" in shown, shown
        assert bar.region.height == 3  # two alerts and the "more" line
        assert _work_rows(app) >= 8
        await pilot.press("A")
        await settle(pilot)
        assert app.focused is bar and bar.region.height == 9
        assert "A visar alla" not in text_of(bar)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.query_one("#active") and _work_rows(app) >= 8


# -- the alerts' actions -----------------------------------------------------------------------------
async def test_enter_on_a_no_coordinator_alert_offers_the_role(scenario02_db):
    db, sc = scenario02_db
    app = make_app(db, sc)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        offered = []

        def coordinator_role():  # the c action (its choice and preview: test_coordinator_role)
            offered.append(app.focused)

        app.action_coordinator_role = coordinator_role
        await pilot.press("A")
        bar = app.query_one("#alerts", AlertBar)
        rules = [a.finding.rule for a in bar.alerts]
        for _ in range(rules.index("no_coordinator")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert len(offered) == 1


async def test_enter_on_a_raised_load_alert_shows_the_overdue_cases(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A", "enter")
        await settle(pilot)
        assert app.filter.units == {"vc-kungsgatan"}
        assert app.filter.rules == {"overdue_waiting"} and app.filter.priorities == {"1", "2"}
        assert app.board.active and app.focused is app.query_one("#active")


# -- item 23: the load level's reason --------------------------------------------------------------------
async def test_a_level_raised_by_an_overdue_case_says_so(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        alert = text_of(app.query_one("#alerts", AlertBar))
        assert "höjd av försenat P1–2-ärende" in alert, alert
        load = app.query_one("#load", VirtualTable)
        assert "hög för att P1–2-ärende väntat för länge" in str(load.border_subtitle)
        row = next(r for r in load.rows if r.key == "vc-kungsgatan")
        assert any("⚑" in str(c) for c in row.cells)
        assert app.board.evaluation.units["vc-kungsgatan"].load.raised_by_overdue
        assert not app.board.evaluation.units["vc-ryd"].load.raised_by_overdue


# -- item 18: narrow terminals --------------------------------------------------------------------------
async def test_under_120_columns_the_side_panels_go_below_as_tabs(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert active.region.width == 80
        shown = [pid for pid in ("absent", "roles", "overdue", "load") if app.query_one(f"#{pid}").display]
        assert shown == ["absent"]
        assert app.query_one("#absent").region.y >= active.region.bottom
        tabs = text_of(app.query_one("#tabs-side"))
        for name in ("Ej i tjänst (", "Ej schemalagd roll (", "Försenade (", "Belastning ("):
            assert name in tabs, tabs
        assert _work_rows(app) >= 8
        await pilot.press("tab")  # the work list → the first bottom panel
        await pilot.press("tab")
        await settle(pilot)
        assert app.bottom_tab == "roles" and app.focused is app.query_one("#roles")
        assert app.query_one("#roles").display and not app.query_one("#absent").display
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert app.bottom_tab == "load" and app.query_one("#load").display
        assert app.query_one("#tabs-load").display


async def test_wide_keeps_the_side_panels_beside_the_list(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        active, side = app.query_one("#active"), app.query_one("#side")
        assert side.region.x >= active.region.right and all(
            app.query_one(f"#{p}").display for p in ("absent", "roles", "overdue", "load")
        )
        assert not app.query_one("#tabs-side").display


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48)])
async def test_a_hidden_column_is_named(scenario01_db, size):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for pid in ("active", "absent", "roles", "overdue", "load"):
            table = app.query_one(f"#{pid}", VirtualTable)
            if not table.display:
                continue
            widths = table._widths(table.size.width)
            hidden = [label for (label, _w), w in zip(table._columns, widths, strict=True) if w == 0]
            assert list(table.hidden_columns) == hidden
            if hidden:
                assert f"dolt: {', '.join(hidden)}" in str(table.border_subtitle), (pid, table.border_subtitle)
            # the deadline (Kvar), the case and its priority are never the ones hidden
            assert not {"Ärende", "Prio", "Kvar"} & set(hidden)


async def test_the_coordinator_line_counts_the_units_it_cannot_show(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        line = text_of(app.query_one("#coordinators")).strip()
        assert "… och 1 till" in line, line


# -- item 20: notices name what they are about ------------------------------------------------------------
async def test_a_new_critical_finding_is_named(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._seen_critical = frozenset()  # as if every critical finding had just arrived
        app.request_refresh()
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        crit = [f for f in app.board.evaluation.findings if f.severity == "critical"]
        assert crit
        text = next(m for m in messages if "kritisk" in m)
        assert "×" not in text
        first = crit[0]
        assert (first.case_id or "") in text, text


# -- snapshots: the main screen at 80×24 and 120×40, and without colour ---------------------------------
async def _ready(pilot) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen_at_size(snap_compare, scenario01_db, size):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=size, run_before=_ready)


def test_main_screen_no_color(snap_compare, scenario02_db, monkeypatch):
    """NO_COLOR (issue 14): severity stays readable by its symbol (‼ ▲ ● ○ ·) and its word."""
    monkeypatch.setenv("NO_COLOR", "1")
    db, sc = scenario02_db
    app = make_app(db, sc)
    assert app.no_color
    assert snap_compare(app, terminal_size=(120, 40), run_before=_ready)
