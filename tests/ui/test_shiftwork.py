"""Checklists, outage mode driven by the simulator's outage, the phone list, looking back."""

from __future__ import annotations

from datetime import timedelta

from direkt_tui.store import actions
from direkt_tui.store.shiftlog import call_marks, signoffs
from direkt_tui.sync.engine import RetryPolicy
from direkt_tui.ui.screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, make_app, settle, text_of, wait_for


def statuses(screen: ChecklistScreen) -> dict[str, str]:
    return {s.item.id: s.summary("sv") for s in screen.statuses}


async def test_each_checklist_on_scenario_01(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, kind in (("1", "start"), ("2", "during"), ("3", "end")):
            await pilot.press(key)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChecklistScreen) and screen.kind == kind
            st = statuses(screen)
            assert st["data_fresh"] == "klart"
            assert st["long_absence"] == "1 ärende"  # c-11
            assert st["unscheduled_roles"] == "1 ärende"  # c-3
            table = screen.query_one(VirtualTable)
            assert table.row_count == len(screen.statuses)
            await pilot.press("escape")
            await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_checklist_jump_and_acknowledge(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(VirtualTable)
        assert table.move_to_key("owners_present")
        await pilot.press("space")  # acknowledge, cursor moves on
        assert screen.acknowledged == {"owners_present"}
        table.move_to_key("owners_present")
        await pilot.press("enter")  # jump: the item's cases in the panels
        await settle(pilot)
        assert app.screen is app.screen_stack[0]
        assert app.filter.rules == {"absent_owner", "owner_shift_ending"}
        assert {r.key for r in app.query_one("#active", VirtualTable).rows} == {"c-1", "c-2", "c-11"}


async def test_sign_off_records_who_when_and_what_was_outstanding(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("space")
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        (signed,) = signoffs(live.store)
        assert signed.checklist == "start" and signed.signed_by == "Anna Berg (s-1)"
        assert "long_absence" in signed.outstanding and "c-11" in signed.outstanding["long_absence"]
        assert [e.action for e in actions.audit_entries(live.store)][-1] == "checklist_sign_off"
        assert actions.audit_verify(live.store) == []


async def test_shift_report_from_the_end_checklist(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("p")
        # the report is written in a thread worker (issue 12, item 10)
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        assert isinstance(screen, ReportScreen) and screen.path is not None and screen.path.exists()
        text = screen.path.read_text(encoding="utf-8")
        assert "Vårdcentralen Kungsgatan" in text and "19800505-9001" not in text
        assert oct(screen.path.stat().st_mode & 0o777) == "0o600"


async def test_outage_mode_enters_and_leaves_by_itself(live_app):
    app, world, live = live_app()
    engine = live.scheduler.engine
    engine.retry = RetryPolicy(max_attempts=1, max_retry_after=0.1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert not app.outage and app.check_action("assign", ()) is True
        # the platform goes down; six minutes pass on the platform's clock
        world.set_faults(outage=True)
        app.clock.advance(timedelta(minutes=6))
        await pilot.press("r")
        assert await wait_for(pilot, lambda: app.outage, timeout=15)
        banner = app.query_one("#banner")
        assert banner.display and "DRIFTSTÖRNING" in text_of(banner)
        # every write is off, and the fallback routine came up by itself
        assert app.check_action("assign", ()) is None and app.writes_denied() == "driftstörning"
        assert isinstance(app.screen, FallbackScreen)
        who = text_of(app.screen.query_one("#fallback-who"))
        assert "Stöd och service" in who  # Thursday 14:36, a weekday within 08–17
        phones = app.screen.query_one(VirtualTable)
        keys = [r.key for r in phones.rows]
        assert keys[:3] == ["c-5", "c-1", "c-9"]  # P1–2 first, most urgent first
        await pilot.press("escape")
        await pilot.pause()
        # the platform answers again: outage mode ends without the user doing anything but wait
        world.set_faults(outage=False)
        live.scheduler.run_now()
        assert await wait_for(pilot, lambda: not app.outage, timeout=15)
        assert not app.query_one("#banner").display
        # a notification is a message: it is in the list once the app has handled it, which may
        # be after the outage flag fell (it was asserted at once, and failed on a loaded machine)
        assert await wait_for(pilot, lambda: any("svarar igen" in n.message for n in app._notifications),
                              timeout=15)
        assert app.check_action("assign", ()) is True


async def test_phone_list_protected_identity_and_called_marks(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FallbackScreen)
        table = screen.query_one(VirtualTable)
        rows = {r.key: r for r in table.rows}
        protected = " ".join(str(c) for c in rows["c-13"].cells)
        assert "hämta kontaktuppgift i Cosmic" in protected and "070-000 0013" not in protected
        normal = " ".join(str(c) for c in rows["c-7"].cells)
        assert "070-000 0007" in normal
        # mark c-7 as called with a note
        table.move_to_key("c-7")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"ingen svarade", "enter")
        await pilot.pause()
        marks = call_marks(live.store)
        assert marks["c-7"].note == "ingen svarade" and marks["c-7"].called_by == "Anna Berg (s-1)"
        assert await wait_for(pilot, lambda: "✓" in str(
            next(r for r in screen.query_one(VirtualTable).rows if r.key == "c-7").cells[-1]))
        # the audit names the case, never the note
        last = actions.audit_entries(live.store)[-1]
        assert "c-7" in str(last.subject) and "ingen svarade" not in str(last.detail)


async def test_offline_shows_the_snapshot_and_the_fallback(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "OFFLINE" in text_of(app.query_one("#banner"))
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FallbackScreen)
        assert "min" in text_of(app.screen.query_one("#fallback-age")) or "s" in text_of(
            app.screen.query_one("#fallback-age"))


async def test_looking_back_shows_the_board_as_it_was(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        assert "c-13" in [r.key for r in active.rows]  # arrived 14:20
        for _ in range(2):  # 14:00
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.view_at is not None and app.board.history
        assert "TILLBAKABLICK" in text_of(app.query_one("#banner"))
        assert "c-13" not in [r.key for r in active.rows]  # not yet there at 14:00
        assert app.writes_denied() == "tillbakablick"
        # the header says it looks back, not "data 0 s gammal" (issue 12, item 24)
        header = text_of(app.query_one("#statusbar"))
        assert "tillbakablick – tavlan som den var kl 14:00" in header and "gammal" not in header
        await pilot.press("backspace")
        await settle(pilot)
        assert app.view_at is None and "c-13" in [r.key for r in active.rows]


async def test_the_row_under_the_cursor_is_shown_whole_at_80x24(scenario01_db):
    """Issue 12, item 19: at 80 columns the checklist items and the phone list's rows are cut in
    their tables; the row under the cursor is shown whole, wrapped, below the table."""
    from textual.widgets import Label

    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        table = screen.query_one(VirtualTable)
        whole = str(screen.query_one("#checklist-whole", Label).render())
        first = next(r for r in table.rows if r.key == table.cursor_key)
        item = str(first.cells[1])
        assert item and item in whole
        await pilot.press("down")
        await pilot.pause()
        second = next(r for r in table.rows if r.key == table.cursor_key)
        assert str(second.cells[1]) in str(screen.query_one("#checklist-whole", Label).render())
        await pilot.press("escape", "F")
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FallbackScreen)
        assert "c-5" in str(fb.query_one("#fallback-whole", Label).render())  # P1 first (§8)
