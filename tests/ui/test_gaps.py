"""Issue 12 "Gaps a coordinator noticed" and issue 13 §1: free text finds a patient by name or
personal identity number (whole or the last four) and the search is audited (who, which cases,
never the number); a protected identity never matches; ``risk:`` / ``regel:at_risk`` shows the
cases at risk of their deadline; the case detail offers the §14 draft for Synergi."""

from __future__ import annotations

import json

import pytest

from direkt_tui.store import actions
from direkt_tui.ui.model import CaseFilter, FilterError, identity_word_matches, parse_filter
from direkt_tui.ui.screens.detail import CaseDetailScreen, DeviationScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, make_app, settle, wait_for


def _active(app) -> list[str]:
    return [r.key for r in app.query_one("#active", VirtualTable)._rows]


def _searches(store) -> list[actions.AuditEntry]:
    return [e for e in actions.audit_entries(store) if e.action == "identity_search"]


async def _search(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.pause()
    for ch in text:
        await pilot.press(ch if ch != "-" else "minus")
    await pilot.press("enter")
    await settle(pilot)


# -- parsing and matching ---------------------------------------------------------------------------
def test_risk_and_regel_at_risk_parse_to_the_risk_filter():
    assert parse_filter("risk:").risk and parse_filter("rule:at_risk").risk
    assert parse_filter("regel:at_risk") == CaseFilter(risk=True)
    f = parse_filter("risk: prio:5")
    assert f.risk and f.priorities == {"5"} and f.active and "risk:" in f.describe()
    assert not parse_filter("prio:5").risk and not CaseFilter().active
    with pytest.raises(FilterError):
        parse_filter("regel:at_risky")


@pytest.mark.parametrize(
    "word, hit",
    [
        ("19800505-9005", True),
        ("198005059005", True),
        ("800505-9005", True),
        ("8005059005", True),
        ("9005", True),
        ("9006", False),
        ("19800505-9006", False),
        ("test", True),  # the start of a name part
        ("estperson", False),  # never inside a word
        ("ber", False),
    ],
)
def test_identity_word_matches_the_number_whole_or_last_four_and_the_start_of_a_name(word, hit):
    assert identity_word_matches(word, "Testperson Ek", "19800505-9005") is hit


def test_no_identity_in_the_store_never_matches():
    assert not identity_word_matches("9013", None, None)
    assert not identity_word_matches("Skyddad", None, None)


# -- the application ------------------------------------------------------------------------------
async def test_free_text_finds_a_patient_by_number_and_audits_the_cases_not_the_number(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert _searches(live.store) == []
        await _search(pilot, "9005")
        assert _active(app) == ["c-5"]
        assert await wait_for(pilot, lambda: len(_searches(live.store)) == 1)
        entry = _searches(live.store)[0]
        assert entry.subject == {"cases": ["c-5"]} and entry.actor == "Anna Berg (s-1)"
        raw = json.dumps([entry.subject, entry.detail])
        assert "9005" not in raw.replace("c-5", "") and "19800505" not in raw
        # the whole number, with its dash, finds the same case (a new search: a new entry)
        await _search(pilot, "19800505-9005")
        assert _active(app) == ["c-5"]
        assert await wait_for(pilot, lambda: len(_searches(live.store)) == 2)
        # the name is matched, but never shown in the list (the list has no patient column)
        await _search(pilot, "Testperson")
        assert await wait_for(pilot, lambda: len(_searches(live.store)) == 3)
        assert "c-5" in _active(app) and "c-13" not in _active(app)  # c-13: protected identity
        shown = app.query_one("#active", VirtualTable)
        assert all("Testperson" not in str(c) for r in shown._rows for c in r.cells)
        messages = [n.message for n in app._notifications]
    assert any("loggat" in m for m in messages)


async def test_a_protected_identity_never_matches_and_a_plain_search_is_not_audited(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _search(pilot, "9013")  # c-13's number in the platform: the store keeps none
        assert "c-13" not in _active(app)
        await _search(pilot, "c-13")  # by its case id it is found, and that is no identity search
        assert _active(app) == ["c-13"]
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert _searches(live.store) == []


async def test_offline_names_and_numbers_are_not_searched(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # Reservrutin opens by itself offline
        await settle(pilot)
        app.set_filter(parse_filter("9005"))
        await settle(pilot)
        assert _active(app) == []


async def test_the_risk_filter_shows_the_cases_at_risk(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        everything = _active(app)
        app.set_filter(parse_filter("risk:"))
        await settle(pilot)
        ev = app.board.evaluation
        at_risk = [c for c in everything if (d := ev.deadline_for(c)) is not None and d.at_risk]
        assert _active(app) == at_risk == ["c-6"]
        app.set_filter(parse_filter("regel:at_risk"))
        await settle(pilot)
        assert _active(app) == ["c-6"]


async def test_the_detail_offers_the_synergi_draft_copied_and_saved(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.open_case("c-12")  # closed without an answer (premature_close in scenario 01 or not: on request)
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DeviationScreen)
        text = screen.text
        assert "Involverade system: Gemensamma IT-stöd 1177 direkt" in text
        assert "Länknamn: Patientärende" in text
        assert "https://clinic.example/cases/c-12" in text
        assert "Testperson" not in text and "9012" not in text and "19800505" not in text
        assert "2026-11-26 10:00" in text  # closed 09:00Z, local time
        assert screen.path is not None and screen.path.parent == app.reports_dir
        assert screen.path.read_text(encoding="utf-8") == text
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == text


async def test_the_end_checklist_lists_the_cosmic_cases_and_x_marks_one(live_app):
    from direkt_tui.store.shiftlog import cosmic_cases
    from direkt_tui.ui.screens.cosmic import CosmicScreen
    from direkt_tui.ui.screens.shiftwork import ChecklistScreen

    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_checklist("end")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        item = next(s for s in screen.statuses if s.item.cosmic)
        assert not item.done and "c-12" in item.case_ids
        table = screen.query_one(VirtualTable)
        keys = [r.key for r in table._rows]
        for _ in range(keys.index("cosmic")):
            table.action_cursor_down()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CosmicScreen)
        cosmic = app.screen.query_one(VirtualTable)
        while cosmic.cursor_key != "c-12":
            cosmic.action_cursor_down()
        await pilot.press("x")
        await pilot.pause()
        marked = [c for c in cosmic_cases(live.store, app.board.at.replace(hour=0), app.board.at) if c.documented]
        assert [c.case_id for c in marked] == ["c-12"] and marked[0].documented_by == "Anna Berg (s-1)"
        assert [e.subject for e in actions.audit_entries(live.store) if e.action == "cosmic_documented"] == [
            {"case": "c-12"}
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        item = next(s for s in screen.statuses if s.item.cosmic)
        assert "c-12" not in item.case_ids
