"""Snapshot tests (pytest-textual-snapshot): fixed terminal size, frozen clock, scenario 01."""

from __future__ import annotations

from .conftest import SIZE, make_app, settle


async def _ready(pilot) -> None:
    await settle(pilot)


def test_main_screen(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=_ready)


def test_case_detail(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def open_detail(pilot):
        await settle(pilot)
        pilot.app.query_one("#active").move_to_key("c-1")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=open_detail)


def test_help_screen(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=open_help)


def test_filtered_list(snap_compare, scenario01_db):
    db, sc = scenario01_db

    async def filtered(pilot):
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"prio:3", "enter")
        await settle(pilot)

    assert snap_compare(make_app(db, sc), terminal_size=SIZE, run_before=filtered)


def test_main_screen_english(snap_compare, scenario01_db):
    db, sc = scenario01_db
    assert snap_compare(make_app(db, sc, lang="en"), terminal_size=SIZE, run_before=_ready)
