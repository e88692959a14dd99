"""Pilot tests: the board on scenario 01, navigation, filtering, units, detail, help, language."""

from __future__ import annotations

import pytest

from direkt_tui.ui.model import CaseFilter, FilterError, parse_date, parse_filter
from direkt_tui.ui.screens.detail import CaseDetailScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, make_app, settle, text_of, wait_for


def keys(table: VirtualTable) -> list[str]:
    return [r.key for r in table.rows]


async def test_panels_show_the_scenario(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        open_ids = {c["id"] for c in sc["cases"] if c["status"] != "closed"}
        assert set(keys(active)) == open_ids
        assert keys(active)[0] == "c-5"  # the overdue P1 comes first (§7)
        assert set(keys(app.query_one("#absent", VirtualTable))) == {"c-1", "c-2", "c-11"}
        assert set(keys(app.query_one("#roles", VirtualTable))) == {"c-3", "c-4", "c-9"}
        assert set(keys(app.query_one("#overdue", VirtualTable))) == {"c-5", "c-7", "c-8", "c-12"}
        assert keys(app.query_one("#load", VirtualTable)) == ["vc-kungsgatan", "vc-ryd"]
        assert active.border_title == f"Aktiva ärenden ({len(open_ids)})"
        assert app.query_one("#absent", VirtualTable).border_title == "Ägare ej i tjänst (3)"
        # the unit-level high_load finding is in the alert bar
        alerts = app.query_one("#alerts")
        assert alerts.display and "Belastningen är hög" in text_of(alerts)
        assert "Anna Berg" in text_of(app.query_one("#coordinators"))


async def test_navigation_between_and_within_panels(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert app.focused is active
        first = active.cursor_key
        await pilot.press("j")
        second = active.cursor_key
        await pilot.press("down", "down")
        assert active.cursor == 3
        await pilot.press("k")
        assert active.cursor == 2
        await pilot.press("up", "up")
        assert active.cursor_key == first and second != first
        await pilot.press("end")
        assert active.cursor == active.row_count - 1
        await pilot.press("home")
        assert active.cursor == 0
        await pilot.press("tab")
        assert app.focused is app.query_one("#absent", VirtualTable)
        await pilot.press("tab", "tab", "tab")
        assert app.focused is app.query_one("#load", VirtualTable)
        await pilot.press("shift+tab")
        assert app.focused is app.query_one("#overdue", VirtualTable)


async def test_enter_opens_case_detail_with_masked_patient(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert active.move_to_key("c-1")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        body = text_of(app.screen.query_one("#detail-body"))
        assert "19800505-****" in body and "19800505-9001" not in body
        assert "Bo Ek" in body and "Ring upp patienten" in body
        assert "https://clinic.example/cases/c-1" in body
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        # protected identity: neither name nor number
        active.move_to_key("c-13")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        body = text_of(app.screen.query_one("#detail-body"))
        assert "Skyddad identitet – kontrollera i Cosmic" in body
        assert "19750202" not in body and "Skyddad Person" not in body


async def test_filter_by_rule_priority_and_text(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"regel:absent_owner", "enter")
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert set(keys(active)) == {"c-1", "c-11"}
        assert "(2/12)" in str(active.border_title)
        assert "regel:absent_owner" in text_of(app.query_one("#statusbar"))
        # a bad token is refused with a message, the dialog stays open
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"prio:9", "enter")
        await pilot.pause()
        assert "Okänt filter" in text_of(app.screen.query_one("#prompt-error"))
        await pilot.press("escape")
        await pilot.pause()
        assert set(keys(active)) == {"c-1", "c-11"}
        # escape clears the filter
        await pilot.press("escape")
        await settle(pilot)
        assert active.row_count == 12


async def test_filter_unit_and_date(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # u: choose vc-ryd, which has no cases
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.unit == "vc-ryd"
        assert app.query_one("#active", VirtualTable).row_count == 0
        assert keys(app.query_one("#load", VirtualTable)) == ["vc-ryd"]
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("home", "enter")
        await settle(pilot)
        assert app.unit is None and app.query_one("#active", VirtualTable).row_count == 12
        # d: open cases that arrived up to yesterday, oldest first
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"i går", "enter")
        await settle(pilot)
        assert keys(app.query_one("#active", VirtualTable)) == ["c-11", "c-8"]


async def test_cursor_stays_on_its_case_across_refreshes(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        active.move_to_key("c-7")
        before = active.cursor
        app.request_refresh()
        await settle(pilot)
        assert active.cursor_key == "c-7" and active.cursor == before
        assert app.boards_built >= 2


async def test_help_and_english(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one("#active", VirtualTable).border_title.startswith("Active cases")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Keys" in text_of(app.screen.query_one("#help").children[0])
        # the deadlines and the forecast's formula, where the coordinator can read it (issue 13 §4)
        assert "Forecast at closing, per unit at t" in text_of(app.screen.query_one("#help").children[0])
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_offline_mode_has_no_sync(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, offline=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "OFFLINE" in text_of(app.query_one("#statusbar"))
        await pilot.press("r")
        await pilot.pause()
        assert any("offline" in n.message.lower() for n in app._notifications)


async def test_command_palette_lists_the_actions(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Filtrera ärenden", "Datumfilter (äldre öppna ärenden)", "Välj enhet", "Synka nu",
                       "Visa hjälp", "Avsluta"):
            assert wanted in titles


def test_filter_parsing():
    f = parse_filter("ont i magen regel:absent_owner,overdue_waiting prio:1 status:väntar enhet:vc-a")
    assert f.text == "ont i magen" and f.rules == {"absent_owner", "overdue_waiting"}
    assert f.priorities == {"1"} and f.statuses == {"waiting"} and f.units == {"vc-a"}
    assert parse_filter("").active is False
    for bad in ("regel:nope", "prio:7", "status:later", "what:ever"):
        with pytest.raises(FilterError):
            parse_filter(bad)
    from datetime import date

    today = date(2026, 11, 26)
    assert parse_date("i går", today) == date(2026, 11, 25)
    assert parse_date("2026-11-20", today) == date(2026, 11, 20)
    assert parse_date("", today) is None
    with pytest.raises(FilterError):
        parse_date("förrgår", today)
    assert CaseFilter(up_to=today).active
