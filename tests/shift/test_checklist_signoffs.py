"""Issue 12 item 13: a checklist's sign-off leaves a trace in the app – reopening a checklist
shows today's sign-offs (which checklist, when, who) and ticks the last acknowledgements again."""

from __future__ import annotations

from ui.conftest import SIZE, live_app, settle, text_of  # noqa: F401 (fixture)

from direkt_tui.store.shiftlog import signoffs
from direkt_tui.ui.screens.shiftwork import ChecklistScreen


def _screen(app, live, kind: str, lang: str = "sv") -> ChecklistScreen:
    """The checklist as the app opens it, with the store's sign-offs (``signed``)."""
    return ChecklistScreen(kind, lang, lambda: app.board, app.sign_off, lambda since: signoffs(live.store, since=since))


async def test_reopening_a_checklist_shows_todays_sign_offs(live_app):  # noqa: F811
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(_screen(app, live, "start"))
        await pilot.pause()
        assert "Ingen checklista är signerad i dag." in text_of(app.screen.query_one("#checklist-signed"))
        first = app.screen.statuses[0].item.id
        await pilot.press("space", "s")  # acknowledge the first item, sign off (stored by the app)
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        (stored,) = signoffs(live.store)
        hm = stored.signed_at.astimezone(app._zone()).strftime("%H:%M")
        line = f"Skiftstart kl {hm} av Anna Berg (s-1) – kvitterade: 1, kvar: {len(stored.outstanding)}"
        await app.push_screen(_screen(app, live, "during"))  # another checklist names it too
        await pilot.pause()
        assert line in text_of(app.screen.query_one("#checklist-signed"))
        assert app.screen.acknowledged == set()  # nothing of Skiftstart ticked on Under dagen
        await pilot.press("escape")
        await app.push_screen(_screen(app, live, "start"))
        await pilot.pause()
        screen = app.screen
        assert screen.acknowledged == {first}
        assert "kvitterade: 1" in text_of(screen.query_one("#checklist-summary"))
        assert line in text_of(screen.query_one("#checklist-signed"))


async def test_english_sign_off_history(live_app):  # noqa: F811
    app, _world, live = live_app(lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "s")
        await pilot.pause()
        await app.push_screen(_screen(app, live, "end", "en"))
        await pilot.pause()
        text = text_of(app.screen.query_one("#checklist-signed"))
        assert "Signed today:" in text and "Shift end at " in text and "by Anna Berg (s-1)" in text


async def test_the_checklist_key_shows_the_sign_offs(live_app):  # noqa: F811
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "s")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert "Skiftstart kl " in text_of(app.screen.query_one("#checklist-signed"))
