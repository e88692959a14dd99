"""Issue 12, the work list under fast hands and the mouse: keys typed before a dialog is ready
reach it (item 3), a click selects the row clicked (item 4), the case detail follows the store
and shows the coordinator's own writes once (item 7), case ids whole (item 21), the date filter
starts at the oldest case (item 22), and range marking with a hint and Shift+↑/↓."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta

import pytest
from conftest import ingest_scenario, load_scenario
from textual import events
from textual.keys import _character_to_key

from direkt_tui.config import Config
from direkt_tui.domain.models import Notice
from direkt_tui.domain.rules import RuleEngine
from direkt_tui.domain.timeutil import require_instant
from direkt_tui.store.db import Store
from direkt_tui.store.reads import CaseWrite
from direkt_tui.ui.model import BoardBuilder
from direkt_tui.ui.screens.detail import CaseDetailScreen, case_renderable
from direkt_tui.ui.screens.dialogs import PromptInput, PromptScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SCENARIO_01, SIZE, choose, make_app, settle, text_of, wait_for


def burst(app, keys: list[str]) -> None:
    """Every key at once, as a terminal hands over what a fast typist typed in one read: no
    pause between them for the app to catch up (``pilot.press`` waits after each key)."""
    for key in keys:
        char = key if len(key) == 1 else None
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def typed(text: str) -> list[str]:
    return list(text)


# -- item 3: the filter prompt gets every key ----------------------------------------------------
@pytest.mark.parametrize("attempt", range(10))
async def test_a_filter_typed_fast_is_applied(scenario01_db, attempt):
    """``/``, Ctrl+U, ``status:väntar``, Enter in one burst, over a filter already set (which
    Ctrl+U must clear first, in turn): the new filter, and only it, applies."""
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_filter(app.filter.__class__(priorities=frozenset({"1"})))
        await settle(pilot)
        burst(app, ["slash", "ctrl+u", *typed("status:väntar"), "enter"])
        assert await wait_for(pilot, lambda: app.filter.statuses == frozenset({"waiting"}))
        await settle(pilot)
        assert app.filter.priorities == frozenset() and app.filter.text == ""
        assert not isinstance(app.screen, PromptScreen)
        active = app.query_one("#active", VirtualTable)
        waiting = {c["id"] for c in sc["cases"] if c["status"] == "waiting"}
        assert {r.key for r in active.rows} == waiting


@pytest.mark.parametrize("attempt", range(5))
async def test_free_text_typed_fast_is_applied(scenario01_db, attempt):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["slash", *typed("Axel"), "enter"])
        assert await wait_for(pilot, lambda: app.filter.text == "Axel")


async def test_a_filter_pressed_in_one_call_is_applied(scenario01_db):
    """The same with ``pilot.press`` given every key at once."""
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "ctrl+u", *typed("status:väntar"), "enter")
        await settle(pilot)
        assert app.filter.statuses == frozenset({"waiting"})


async def test_the_prompt_input_exists_and_has_focus_as_soon_as_it_opens(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, PromptScreen)
        assert isinstance(app.focused, PromptInput) and app.focused is screen._input
        # keys the screen got before anything in it had focus went to the input, in order
        burst(app, typed("ab"))
        await pilot.press("backspace", "c")
        assert screen._input.value == "ac"


async def test_a_date_filter_typed_fast_is_applied(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["d", *typed("idag"), "enter"])
        assert await wait_for(pilot, lambda: app.filter.up_to is not None)
        assert app.filter.up_to == require_instant(sc["as_of"]).date()


# -- item 4: a click selects the row under the pointer -------------------------------------------
@pytest.mark.parametrize("panel", ["active", "overdue"])
async def test_a_click_selects_the_row_clicked(scenario01_db, panel):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(f"#{panel}", VirtualTable)
        assert table.row_count >= 3
        # the panel's border is line 0, its header line 1, the first row line 2
        for row in (2, 0, 1):
            await pilot.click(f"#{panel}", offset=(6, 2 + row))
            await pilot.pause()
            assert table.cursor == row, (panel, row, table.cursor)
        before = table.cursor
        await pilot.click(f"#{panel}", offset=(6, 1))  # the header: nothing
        await pilot.pause()
        assert table.cursor == before


async def test_a_double_click_opens_the_row_clicked(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one("#active", VirtualTable)
        await pilot.click("#active", offset=(6, 3), times=2)
        assert await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        assert app.screen.case_id == table.rows[1].key


# -- item 21: case ids whole -----------------------------------------------------------------------
LONG_ID = "c-20261126-0013"


@pytest.fixture
def long_id_db(tmp_path):
    sc = copy.deepcopy(load_scenario(SCENARIO_01))
    for c in sc["cases"]:
        if c["id"] == "c-13":
            c["id"] = LONG_ID
    db = tmp_path / "long.db"
    with Store(db) as s:
        ingest_scenario(s, sc)
    return db, sc


def line_text(table: VirtualTable, y: int) -> str:
    return "".join(seg.text for seg in table.render_line(y))


async def test_case_ids_are_shown_whole(long_id_db):
    db, sc = long_id_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        widths = dict(active._columns)
        assert widths["Ärende"] == len(LONG_ID)
        row = next(i for i, r in enumerate(active.rows) if r.key == LONG_ID)
        active.cursor = row
        await pilot.pause()
        y = row - int(active.scroll_y) + 1
        assert LONG_ID in line_text(active, y)
        # short ids elsewhere: a panel's column is as wide as its own ids (never below the header)
        absent = app.query_one("#absent", VirtualTable)
        assert dict(absent._columns)["Ärende"] == len("Ärende")


# -- item 22: the date filter starts at the oldest case ----------------------------------------
async def test_the_date_filter_puts_the_cursor_on_the_oldest_case(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        await pilot.press("end")
        assert active.cursor == active.row_count - 1
        await pilot.press("d", *typed("idag"), "enter")
        await settle(pilot)
        assert app.filter.up_to is not None
        assert active.cursor == 0 and active.scroll_y == 0
        created = {c["id"]: require_instant(c["created_at"]) for c in sc["cases"]}
        assert active.cursor_key == min((r.key for r in active.rows), key=created.__getitem__)
        # moving on from there, a refresh keeps the cursor where the coordinator put it
        await pilot.press("down")
        app.request_refresh()
        await settle(pilot)
        assert active.cursor == 1


# -- range marking ------------------------------------------------------------------------------------
async def test_range_marking_says_what_the_second_v_does(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        bar = app.query_one("#statusbar")
        await pilot.press("down", "V")
        assert app.marks == {active.rows[1].key}
        assert "markera till hit: V" in text_of(bar)
        await pilot.press("down", "down", "V")
        assert app.marks == {r.key for r in active.rows[1:4]}
        assert "markera till hit" not in text_of(bar)
        await pilot.press("escape")
        assert app.marks == set() and "markera till hit" not in text_of(bar)


async def test_range_marking_hint_in_english(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("V")
        assert "mark to here: V" in text_of(app.query_one("#statusbar"))


async def test_shift_arrows_extend_the_marks(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        await pilot.press("down", "shift+down", "shift+down")
        assert active.cursor == 3
        assert app.marks == {r.key for r in active.rows[1:4]}
        await pilot.press("down", "down", "shift+up")
        assert active.cursor == 4
        assert app.marks == {r.key for r in active.rows[1:6]}
        assert "5 markerade" in text_of(app.query_one("#statusbar"))


# -- item 7: the case detail follows the store, with the coordinator's own writes ----------------
def detail_text(app) -> str:
    found = app.screen.query("#detail-body")  # "" until the detail is mounted
    return text_of(found.first()) if found else ""


def _board_and_case(db, sc, case_id: str):
    at = require_instant(sc["as_of"])
    store = Store(db, read_only=True)
    builder = BoardBuilder(store, RuleEngine(Config().params_for))
    board = builder.build(at)
    case = store.case(case_id)
    store.close()
    assert case is not None
    return board, case, at


def render_text(renderable) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_a_template_the_coordinator_sent_shows_once(scenario01_db):
    db, sc = scenario01_db
    board, case, at = _board_and_case(db, sc, "c-13")
    template = board.snapshot.templates[0]
    sent = at - timedelta(minutes=3)
    case = dataclasses.replace(case, notices=(Notice(template.id, sent),))
    write = CaseWrite(
        "message",
        {"template_id": template.id},
        "done",
        None,
        sent - timedelta(seconds=2),
        sent + timedelta(seconds=1),
        {"notices": [{"template_id": template.id, "sent_at": sent.isoformat()}]},
        "Anna Berg (s-1)",
    )
    text = render_text(case_renderable(board, case, "sv", writes=[write]))
    assert text.count(template.title) == 1, text
    assert f"Frasmall: {template.title} – skickad av Anna Berg (s-1)" in text
    # without the write the platform's notice is still there, once
    alone = render_text(case_renderable(board, case, "sv"))
    assert alone.count(template.title) == 1
    # the same notice stored twice (a replayed page) shows once too
    twice = dataclasses.replace(case, notices=(Notice(template.id, sent), Notice(template.id, sent)))
    assert render_text(case_renderable(board, twice, "sv")).count(template.title) == 1


def test_the_timeline_shows_a_queued_move_and_a_conflict(scenario01_db):
    db, sc = scenario01_db
    board, case, at = _board_and_case(db, sc, "c-6")
    queued = CaseWrite("move", {"to_unit_id": "vc-ryd"}, "pending", None, at, at, None, "Anna Berg (s-1)")
    refused = CaseWrite(
        "assign",
        {"owner": {"type": "role", "profession": "doctor"}},
        "conflict",
        "version_conflict",
        at - timedelta(minutes=1),
        at - timedelta(minutes=1),
        None,
        None,
    )
    text = render_text(case_renderable(board, case, "sv", writes=[queued, refused]))
    assert "Flyttat till Vårdcentralen Ryd av Anna Berg (s-1) (köad, inte skickad än)" in text, text
    assert "Lagt över till läkare av övergripande ansvarig – inte genomfört: ärendet hade ändrats" in text
    en = render_text(case_renderable(board, case, "en", writes=[queued]))
    assert "Moved to Vårdcentralen Ryd by Anna Berg (s-1) (queued, not sent yet)" in en


async def test_the_open_detail_follows_the_store(live_app):
    """The detail open on a case while the platform changes it: its fields and findings follow
    the next sync, without closing it."""
    app, world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case("c-6")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        assert await wait_for(pilot, lambda: "Ägare" in detail_text(app))
        assert "Eva Grön" not in detail_text(app)
        before = world.entities("cases")["c-6"]["version"]
        world.assign("c-6", {"owner": {"type": "person", "staff_id": "s-5"}, "if_version": before})
        live.scheduler.engine.sync_all()
        app.request_refresh()
        assert await wait_for(pilot, lambda: "Eva Grön (s-5)" in detail_text(app)), detail_text(app)
        assert isinstance(app.screen, CaseDetailScreen) and app.screen.case_id == "c-6"


async def test_the_detail_shows_the_coordinators_own_template_once(live_app):
    app, world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.marks.update({"c-13"})
        app._marks_changed()
        await pilot.press("t")
        await pilot.pause()
        await choose(pilot, "next_day")
        await pilot.press("y")
        await pilot.pause()
        assert await wait_for(pilot, lambda: len(world.entities("cases")["c-13"]["notices"]) == 1)
        title = next(t["title"] for t in world.templates if t["id"] == "next_day")
        await pilot.press("escape")
        await pilot.pause()
        app.open_case("c-13")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        line = f"Frasmall: {title} – skickad av Anna Berg (s-1)"
        assert await wait_for(pilot, lambda: line in detail_text(app)), detail_text(app)
        assert detail_text(app).count(title) == 1, detail_text(app)
