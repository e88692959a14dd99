"""The coordinator role (``c``) is a write like every other: previewed, confirmed with ``y``
(issue 12 item 2). Only clinical staff present now are offered (guideline §10.1: "en
vårdpersonal"), never the one who holds the role; handing it back says plainly that the unit
will have no coordinator. Scenario 01 over a real simulator on loopback; at 14:30 in
Kungsgatan Anna Berg (s-1, ssk, the user) holds the role, Cecilia Dahl (s-3, ssk) and Eva Grön
(s-5, läkare) are at work, Gun Ivarsson (s-7) is at work as "Administrativ kontakt", and Bo Ek
(s-2), David Falk (s-4) and Fredrik Holm (s-6) are not at work."""

from __future__ import annotations

from textual.widgets import OptionList

from direkt_tui.store import actions
from direkt_tui.ui.screens.actions import ChoiceScreen, OutcomeScreen, PreviewScreen

from .conftest import SIZE, choose, settle, text_of, wait_for


def option_ids(app) -> list[str]:
    screen = app.screen
    assert isinstance(screen, ChoiceScreen), screen
    ol = screen.query_one(OptionList)
    return [ol.get_option_at_index(i).id for i in range(ol.option_count)]


def preview_text(screen: PreviewScreen) -> str:
    parts = [text_of(screen.query_one("#preview-summary")), text_of(screen.query_one("#preview-hint"))]
    parts += [text_of(w) for w in screen.query(".preview-note")]
    for row in screen.content.rows:
        parts.append(" ".join(str(c) for c in row.cells))
    return "\n".join(parts)


async def open_role(pilot, unit: str = "vc-kungsgatan") -> None:
    await pilot.press("c")
    await pilot.pause()
    await choose(pilot, unit)


async def test_only_present_clinical_staff_are_offered_never_the_holder(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_role(pilot)
        # not s-1 (holds it), not s-7 (administrative), not s-2/s-4/s-6 (not at work)
        assert option_ids(app) == ["s-3", "s-5", ""]
        assert "Anna Berg" in text_of(app.screen.query_one(".dialog-help"))  # who holds it now
        await pilot.press("escape")
        await pilot.pause()
        # in Ryd only Rut Sjö (s-20) is at work, and she holds the role: only handing it back
        await open_role(pilot, "vc-ryd")
        assert option_ids(app) == [""]
        assert "Ingen annan vårdpersonal" in text_of(app.screen.query_one(".dialog-help"))


async def test_taking_over_is_previewed_and_needs_y(live_app):
    app, world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_role(pilot)
        await choose(pilot, "s-5")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.content.role is not None
        text = preview_text(preview)
        assert "Eva Grön blir övergripande ansvarig i stället för Anna Berg" in text
        assert "kritiskt" not in text
        # nothing is written before y
        assert actions.outbox_rows(live.store) == []
        assert world.coordinators["vc-kungsgatan"]["staff_id"] == "s-1"
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeScreen)
        rows = app._load_outbox(app.screen.batches)
        assert await wait_for(pilot, lambda: all(r.final for r in app._load_outbox(app.screen.batches)))
        assert [r.kind for r in rows] == ["coordinator"]
        assert world.coordinators["vc-kungsgatan"]["staff_id"] == "s-5"
        entries = actions.audit_entries(live.store)
        assert entries[0].action == "coordinator_role"
        assert entries[0].subject["units"] == ["vc-kungsgatan"]
        assert (entries[0].detail["staff_id"], entries[0].detail["was"]) == ("s-5", "s-1")


async def test_handing_back_is_previewed_as_a_critical_finding(live_app):
    app, world, live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_role(pilot)
        await choose(pilot, "")
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        text = preview_text(preview)
        assert "ingen blir övergripande ansvarig" in text
        assert "får ingen övergripande ansvarig" in text and "kritiskt fynd" in text
        # Esc: nothing written, the unit keeps its coordinator, no "no coordinator" alert
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PreviewScreen)
        assert actions.outbox_rows(live.store) == []
        assert world.coordinators["vc-kungsgatan"]["staff_id"] == "s-1"
        assert not any("Ingen övergripande ansvarig" in n.message for n in app._notifications)
        # and confirmed with y, it is handed back
        await open_role(pilot)
        await choose(pilot, "")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeScreen)
        assert await wait_for(pilot, lambda: world.coordinators["vc-kungsgatan"]["staff_id"] is None)


async def test_english_preview_of_the_role(live_app):
    app, _world, _live = live_app(lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_role(pilot)
        await choose(pilot, "")
        text = preview_text(app.screen)
        assert "will have no coordinator" in text and "critical finding" in text
        footer = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"Do it", "Cancel"} <= footer
