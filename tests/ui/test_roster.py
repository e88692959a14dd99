"""Bemanning (issue 13 §2): the roster key opens the roster view; those off shift who still hold
cases first; one key marks all of that person's cases; gaps ahead in the alerts."""

from __future__ import annotations

from direkt_tui.ui import keys
from direkt_tui.ui.screens.roster import RosterScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, make_app, settle, wait_for


def roster_open(app) -> bool:
    """The roster view is up with its tables filled."""
    screen = app.screen
    return isinstance(screen, RosterScreen) and any(t.rows for t in screen.query(VirtualTable))


def test_the_roster_key_is_in_the_key_table():
    spec = keys.BY_ID["roster"]
    assert spec.key == "b" and spec.action == "roster" and spec.palette == "cmd.roster"
    assert "roster" in keys.PALETTE


async def test_roster_view_lists_off_shift_holders_first_and_marks_their_cases(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        assert await wait_for(pilot, lambda: roster_open(app))
        screen = app.screen
        table = screen.query_one("#roster-0", VirtualTable)
        keys_ = [r.key for r in table.rows]
        # off shift, still holding cases: Bo Ek (c-1) and s-6 (c-11) first
        assert set(keys_[:2]) == {"s-2", "s-6"}
        bo = next(r for r in table.rows if r.key == "s-2")
        assert str(bo.cells[0]) == "Bo Ek – ej i tjänst – 1 ärende"
        anna = next(r for r in table.rows if r.key == "s-1")
        assert str(anna.cells[2]) == "ja" and str(anna.cells[4]) == "16:00" and str(anna.cells[5]) == "3"
        assert "s-4" not in keys_  # yesterday's shift only, holds nothing
        table.cursor = keys_.index("s-2")
        await pilot.press("m")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, RosterScreen))
        assert app.marks == {"c-1"}


async def test_roster_view_in_english(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_roster()
        assert await wait_for(pilot, lambda: roster_open(app))
        table = app.screen.query_one("#roster-0", VirtualTable)
        bo = next(r for r in table.rows if r.key == "s-2")
        assert str(bo.cells[0]) == "Bo Ek – off shift – 1 case"


async def test_gaps_ahead_are_alerts(tmp_path):
    """Without the afternoon doctor nobody clinical is on 16:00–17:00; Anna Berg (coordinator)
    leaves 16:00: within 30 minutes of 15:40 the alert asks her to hand over, naming who could."""
    from conftest import SCENARIOS, ingest_scenario, load_scenario

    from direkt_tui.domain.timeutil import require_instant
    from direkt_tui.store.db import Store
    from direkt_tui.ui.app import DirektApp
    from direkt_tui.ui.clock import FrozenClock

    sc = load_scenario(next(p for p in SCENARIOS if p.stem.startswith("01")))
    for s in sc["shifts"]:
        if s["staff_id"] == "s-5":  # the afternoon doctor works on to 17:00 … but not as coordinator
            s["end"] = "2026-11-26T16:00:00Z"
        if s["staff_id"] == "s-3":
            s["end"] = "2026-11-26T15:30:00Z"  # Cecilia Dahl, nurse, until 16:30
    sc["shifts"] = [s for s in sc["shifts"] if s["staff_id"] != "s-5"]
    db = tmp_path / "gap.db"
    with Store(db) as store:
        ingest_scenario(store, sc)
    app = DirektApp(db, clock=FrozenClock(require_instant("2026-11-26T15:40:00+01:00")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rules = {(f.rule, f.unit_id) for f in app.board.alerts}
        assert ("coverage_gap", "vc-kungsgatan") in rules
        assert ("coordinator_handover", "vc-kungsgatan") in rules
        shown = " ".join(f.message for f in app.board.alerts)  # the strip shows the first ones
        assert "Anna Berg slutar 16:00 – lämna över rollen (kan ta den: Cecilia Dahl)" in shown
        assert "ingen vårdpersonal schemalagd 16:30–17:00" in shown
        # and in the roster view
        app.action_roster()
        assert await wait_for(pilot, lambda: roster_open(app))
        labels = " ".join(str(lab.content) for lab in app.screen.query("Label"))
        assert "Lucka: ingen vårdpersonal 16:30–17:00" in labels


# -- who can take it (§3): suggestions in the reassignment ----------------------------------------
def _mark(app, *ids):
    app.marks.clear()
    app.marks.update(ids)
    app._marks_changed()


def _options(app) -> dict[str, str]:
    from textual.widgets import OptionList

    ol = app.screen.query_one(OptionList)
    return {ol.get_option_at_index(i).id: str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)}


async def test_reassign_offers_present_people_with_load_least_loaded_first(live_app):
    from direkt_tui.ui.screens.actions import ChoiceScreen

    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _mark(app, "c-5")
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        opts = _options(app)
        people = [k for k in opts if k.startswith("person:")]
        # present: Eva Grön (läk, 0), Gun Ivarsson (0), Anna Berg (3); Cecilia Dahl leaves 14:45 (last)
        assert people == [
            "person:vc-kungsgatan:s-5",
            "person:vc-kungsgatan:s-7",
            "person:vc-kungsgatan:s-1",
            "person:vc-kungsgatan:s-3",
        ]
        assert opts["person:vc-kungsgatan:s-5"].startswith("★ föreslås: Eva Grön (läk) – 0 pågående")
        assert opts["person:vc-kungsgatan:s-1"] == "Anna Berg (ssk) – 3 pågående, 1 väntar svar, slutar 16:00"
        assert opts["person:vc-kungsgatan:s-3"].startswith("⚠ slutar snart: Cecilia Dahl (ssk) – 1 pågående")
        assert "person:vc-kungsgatan:s-2" not in opts  # Bo Ek is off shift: never offered
        assert "spread:nurse" not in opts  # one case: nothing to spread


async def test_typed_name_of_someone_not_offered_says_why(live_app):
    from direkt_tui.ui.screens.actions import ChoiceScreen
    from direkt_tui.ui.screens.dialogs import PromptScreen

    from .conftest import choose

    app, _world, _live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        _mark(app, "c-5")
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await choose(pilot, "other:")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("B", "o", " ", "E", "k", "enter")
        assert await wait_for(pilot, lambda: any("Bo Ek" in m for m in [n.message for n in app._notifications]))
        messages = [n.message for n in app._notifications]
        assert "Bo Ek är inte i tjänst (passet är slut) – erbjuds inte" in messages
        assert not app.screen.query("#preview-table")  # nothing previewed for him


async def test_spread_over_present_nurses_is_previewed_per_case(live_app):
    from direkt_tui.ui.screens.actions import ChoiceScreen, PreviewScreen

    from .conftest import choose

    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _mark(app, "c-5", "c-6", "c-13")
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        opts = _options(app)
        # Cecilia Dahl leaves within the shift-end window: one nurse staying to spread over
        assert opts["spread:nurse"] == "Fördela på sjuksköterskor i tjänst (1 st, minst belastad först)"
        await choose(pilot, "spread:nurse")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        items = {i.case_id: i for i in app.screen.items}
        assert {cid: i.target for cid, i in items.items()} == {"c-5": "s-1", "c-6": "s-1", "c-13": "s-1"}
        rows = app.screen.query_one("#preview-table", VirtualTable).rows
        assert all(str(r.cells[-1]) == "läggs över till Anna Berg" for r in rows)
        await pilot.press("y")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, PreviewScreen))
