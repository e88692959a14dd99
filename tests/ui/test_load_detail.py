"""The load panel's detail view (issue 13 §4): Enter on a unit opens its load, the forecast's
terms and the chart of waiting care cases per hour against the typical Thursday. Scenario 01
(Thursday 26 Nov 14:30) with closed care cases kept from the four Thursdays before."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from conftest import ingest_scenario, load_scenario

from direkt_tui.store.db import Store
from direkt_tui.ui.screens.loaddetail import LoadDetailScreen
from direkt_tui.ui.widgets.chart import waiting_chart
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SCENARIO_01, SIZE, make_app, settle, text_of


@pytest.fixture
def history_db(tmp_path):
    return history_store(tmp_path)


def history_store(tmp_path):
    """Scenario 01 plus, on each of the four Thursdays before, one care case arriving at 10:00
    and taken at 11:00 (so the typical Thursday waits 1 at 10 and 0 at the other hours)."""
    sc = load_scenario(SCENARIO_01)
    at = datetime.fromisoformat(sc["as_of"])
    template = next(c for c in sc["cases"] if c["unit_id"] == "vc-kungsgatan")
    extra = []
    for week in range(1, 5):
        ten = (at - timedelta(days=7 * week)).replace(hour=10, minute=0)
        c = copy.deepcopy(template)
        c.update(id=f"h{week}", status="closed", version=3, created_at=ten.isoformat(),
                 received_at=(ten + timedelta(hours=1)).isoformat(), started_at=None,
                 closed_at=(ten + timedelta(hours=2)).isoformat(), close_reason="resolved",
                 updated_at=(ten + timedelta(hours=2)).isoformat())
        extra.append(c)
    sc = {**sc, "cases": sc["cases"] + extra}
    db = tmp_path / "ui" / "history.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    return db, sc


async def _open_load(pilot, unit: str = "vc-kungsgatan") -> LoadDetailScreen:
    """Tab to the load panel as a user would, the unit's row, Enter; wait for the chart."""
    app = pilot.app
    await settle(pilot)
    load = app.query_one("#load", VirtualTable)
    for _ in range(8):
        if app.focused is load:
            break
        await pilot.press("tab")
    assert app.focused is load
    load.move_to_key(unit)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, LoadDetailScreen) and screen.unit_id == unit
    return screen


@pytest.mark.parametrize(
    ("lang", "title", "legend", "forecast"),
    [
        ("sv", "Belastning – Vårdcentralen Kungsgatan", "en typisk torsdag (4 av de senaste 4 veckorna)",
         "Prognos vid stängning 17:00"),
        ("en", "Load – Vårdcentralen Kungsgatan", "a typical Thursday (4 of the last 4 weeks)",
         "Forecast at closing 17:00"),
    ],
)
async def test_enter_on_a_unit_opens_its_load_forecast_and_chart(history_db, lang, title, legend, forecast):
    db, sc = history_db
    app = make_app(db, sc, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_load(pilot)
        board = app.board
        assert board is not None
        curve = board.curves["vc-kungsgatan"]  # read by the board's worker for the open view
        assert curve is not None and curve.history_days == 4
        assert curve.typical[curve.hours.index("10")] == 1.0 and curve.typical[curve.hours.index("11")] == 0.0
        assert curve.today[curve.hours.index("15")] is None  # 14:30: the hour has not begun
        box = screen.query_one(".dialog")
        assert box.border_title == title
        assert legend in text_of(screen.query_one("#load-legend"))
        assert forecast in text_of(screen.query_one("#load-forecast"))
        chart = text_of(screen.query_one("#load-chart"))
        assert chart == waiting_chart(curve, lang, height=6).plain + "\n"  # 6 rows at 120×40
        assert "░" in chart and ("i dag" if lang == "sv" else "today") in chart
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, LoadDetailScreen)
        app.request_refresh()  # the next board (a sync's) reads no chart
        await settle(pilot)
        assert app.board is not None and app.board.curves == {}  # no longer read once closed


async def test_the_chart_draws_each_hour_as_two_bars_with_the_values_below(history_db):
    """At the ten o'clock column the typical Thursday's bar (░) reaches 1 of the scale; the
    values row gives today's hours to 14 and dashes after; Swedish decimals take a comma."""
    db, sc = history_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await _open_load(pilot)
        curve = app.board.curves["vc-kungsgatan"]
        lines = waiting_chart(curve, "sv").plain.splitlines()
        hours_row = next(line for line in lines if line.lstrip().startswith("08"))
        col = hours_row.index("10")
        bottom_bar_row = lines[lines.index(hours_row) - 2]  # the row just above the axis
        assert bottom_bar_row[col + 2] == "░"  # the typical bar beside today's two characters
        today_row = next(line for line in lines if line.endswith("i dag"))
        values = today_row.split()[1:-2]
        assert values[-2:] == ["–", "–"] and len(values) == len(curve.hours)
        assert all("." not in v for v in values)


async def test_a_unit_closed_today_says_so(history_db):
    db, sc = history_db
    sunday = datetime.fromisoformat(sc["as_of"]) + timedelta(days=3)
    app = make_app(db, {**sc, "as_of": sunday.isoformat()})
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_load(pilot)
        assert app.board.curves["vc-kungsgatan"] is None
        assert "Enheten har inte öppet i dag." in text_of(screen.query_one("#load-legend"))
        assert "Ingen prognos" in text_of(screen.query_one("#load-forecast"))


async def test_a_double_click_on_a_unit_opens_it_too(history_db):
    """With the mouse: the first click selects the unit's row, the second (a double click) opens it."""
    db, sc = history_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        load = app.query_one("#load", VirtualTable)
        row = next(i for i, r in enumerate(load.rows) if r.key == "vc-ryd")
        # inside the border (1) the header is the first line, the rows follow
        await pilot.click(load, offset=(5, 2 + row), times=2)
        await settle(pilot)
        assert isinstance(app.screen, LoadDetailScreen) and app.screen.unit_id == "vc-ryd"
        assert "vc-ryd" in app.board.curves


def _fc(**kw):
    from datetime import UTC

    from direkt_tui.domain.forecast import Forecast

    base = dict(at=datetime(2026, 11, 26, 12, 0, tzinfo=UTC), closes_at=datetime(2026, 11, 26, 16, 0, tzinfo=UTC),
                backlog_now=6, arrivals=10.0, arrivals_method="today", history_days=0, arrival_rate=2.5,
                wait_hours=0.8, wait_method="recent", wait_cases=7, late=2.0, clinician_hours=8.0, rate=3.0,
                rate_method="default", capacity=24.0, completions=14.0, backlog_at_close=2.0,
                extra_clinician_hours=0.0, method="late")
    return Forecast(**{**base, **kw})


def test_the_forecast_is_written_out_with_the_term_that_decided_it():
    """The detail view's text per method: late arrivals (more staff would not help), the
    clinicians' capacity (and the hours that would), naive; Swedish decimals with a comma."""
    from zoneinfo import ZoneInfo

    from direkt_tui.ui.screens.loaddetail import forecast_lines

    tz = ZoneInfo("Europe/Stockholm")
    late = forecast_lines(_fc(), tz, "sv")
    assert late[0] == "Prognos vid stängning 17:00"
    # without history the arrivals come from the last 2 hours' rate (not the day's so far)
    assert late[1] == "6 väntar nu + 10,0 väntas komma (senaste 2 timmarna) − 14,0 hinner tas = 2,0 kvar vid stängning"
    assert late[2].startswith("2,0 av dem kommer inom en väntetid (0,8 h, senaste 2 timmarna)")
    assert late[3].startswith("Personalen i schemat hinner med resten (24,0 kan tas: 8,0 vårdpersonaltimmar × 3,0")
    cap = forecast_lines(_fc(method="capacity", capacity=9.0, completions=9.0, backlog_at_close=7.0,
                             extra_clinician_hours=1.7), tz, "en")
    assert cap[2].startswith("2.0 of them arrive within one wait (0.8 h, the last 2 hours) of closing")
    assert cap[3] == "The clinicians cannot keep up: 9.0 can be taken (8.0 clinician-hours × 3.0 an hour, default)."
    assert cap[4] == "1.7 more clinician-hours would take what the scheduled clinicians cannot."
    naive = forecast_lines(_fc(method="naive", wait_hours=None, wait_method="none", late=6.0, backlog_at_close=6.0),
                           tz, "sv")
    assert naive[2].startswith("Inget att räkna väntetiden på än") and len(naive) == 4
    early = forecast_lines(_fc(method="naive", arrivals_method="none", wait_hours=None, late=6.0,
                               backlog_at_close=6.0), tz, "en")
    assert early[2].startswith("The unit has been open too briefly today for an arrival rate")
    clear = forecast_lines(_fc(late=0.2, backlog_at_close=0.2), tz, "sv")
    assert clear[-1] == "Inget väntas vara kvar vid stängning."
    assert forecast_lines(None, tz, "en") == ["No forecast: the unit has closed for the day."]
