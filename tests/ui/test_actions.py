"""Marks and bulk actions, driven by keys, against the simulator over loopback (scenario 01)."""

from __future__ import annotations

from direkt_tui.store import actions
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.screens.actions import OutcomeScreen, PreviewScreen
from direkt_tui.ui.widgets.table import VirtualTable

from .conftest import SIZE, choose, settle, text_of, wait_for


def mark(app: DirektApp, *case_ids: str) -> None:
    app.marks.update(case_ids)
    app._marks_changed()


async def finish(pilot, app: DirektApp) -> list:
    screen = app.screen
    assert isinstance(screen, OutcomeScreen)
    rows = lambda: app._load_outbox(screen.batches)  # noqa: E731
    assert await wait_for(pilot, lambda: rows() and all(r.final for r in rows()))
    return rows()


def world_case(world, case_id: str) -> dict:
    return world.entities("cases")[case_id]


async def test_marking_keys(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.query_one("#active", VirtualTable)
        first, second = active.rows[0].key, active.rows[1].key
        await pilot.press("space")
        assert app.marks == {first} and active.cursor == 1
        await pilot.press("space")
        assert app.marks == {first, second}
        await pilot.press("space")  # the third
        await pilot.press("up")
        await pilot.press("space")  # toggles the third off again
        assert len(app.marks) == 2
        assert "2 markerade" in text_of(app.query_one("#statusbar"))
        # a range from the last toggled row (the third, index 2) to the cursor (index 6)
        await pilot.press("down", "down", "down", "V")
        assert app.marks == {r.key for r in active.rows[:7]}
        # Esc clears marks before the filter
        await pilot.press("escape")
        assert app.marks == set()
        # * marks every visible row, respecting the filter
        app.set_filter(app.filter.__class__(priorities=frozenset({"3"})))
        await settle(pilot)
        await pilot.press("asterisk")
        assert app.marks == {r.key for r in active.rows} == {"c-2", "c-4", "c-7", "c-11", "c-13"}


async def test_reassign_to_a_scheduled_profession(live_app):
    app, world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-3", "c-4", "c-1")
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "role:nurse")
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        by_case = {i.case_id: i for i in preview.items}
        assert by_case["c-3"].ok and by_case["c-3"].will == "plan.will.role"
        assert by_case["c-4"].skip == "plan.skip.already_there"
        assert by_case["c-1"].skip == "plan.skip.person_held" and by_case["c-1"].phone_list
        assert "1 ändras · 2 hoppas över" in text_of(preview.query_one("#preview-summary"))
        await pilot.press("y")
        await pilot.pause()
        rows = await finish(pilot, app)
        assert [(r.case_id, r.status) for r in rows] == [("c-3", "done")]
        assert world_case(world, "c-3")["owner"] == {"type": "role", "profession": "nurse"}
        assert live.store.case("c-3").owner.profession == "nurse"
        assert app.marks == set()
        # the audit chain has the request and its outcome
        entries = actions.audit_entries(live.store)
        assert [e.action for e in entries] == ["reassign", "outcome"]
        assert entries[0].actor == "Anna Berg (s-1)" and entries[0].subject["cases"] == ["c-3"]
        assert actions.audit_verify(live.store) == []


async def test_unscheduled_profession_needs_an_explicit_override(live_app):
    app, world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-4")
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "force:psychologist")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.needs_force
        await pilot.press("y")  # not enough
        await pilot.pause()
        assert app.screen is preview
        await pilot.press("f")
        await pilot.pause()
        rows = await finish(pilot, app)
        assert [r.status for r in rows] == ["done"]
        assert world_case(world, "c-4")["owner"] == {"type": "role", "profession": "psychologist"}


async def test_reassign_to_a_present_person_and_conflict(live_app):
    app, world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-3", "c-13")
        await pilot.press("a")
        await pilot.pause()
        # someone else changes c-3 on the platform after our last sync: a version conflict
        before = world_case(world, "c-3")["version"]
        world.assign("c-3", {"owner": {"type": "role", "profession": "doctor"}, "if_version": before})
        await choose(pilot, "person:vc-kungsgatan:s-5")
        await pilot.press("y")
        await pilot.pause()
        rows = {r.case_id: r for r in await finish(pilot, app)}
        assert rows["c-13"].status == "done"
        assert world_case(world, "c-13")["owner"] == {"type": "person", "staff_id": "s-5"}
        assert rows["c-3"].status == "conflict" and rows["c-3"].code == "version_conflict"
        summary = app.screen.query_one("#outcome-summary")
        assert await wait_for(pilot, lambda: "1 klara · 1 konflikter" in text_of(summary))
        # the conflict is shown, not retried: the platform kept the other change
        assert world_case(world, "c-3")["owner"] == {"type": "role", "profession": "doctor"}
        assert rows["c-3"].attempts == 1


async def test_move_waiting_cases(live_app):
    app, world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-6", "c-7")
        await pilot.press("m")
        await pilot.pause()
        await choose(pilot, "vc-ryd")
        items = {i.case_id: i for i in app.screen.items}
        assert items["c-6"].ok and items["c-7"].skip == "plan.skip.already_received"
        await pilot.press("enter")
        await pilot.pause()
        rows = await finish(pilot, app)
        assert [(r.case_id, r.status) for r in rows] == [("c-6", "done")]
        assert world_case(world, "c-6")["unit_id"] == "vc-ryd"


async def test_send_template(live_app):
    app, world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-13", "c-10")
        await pilot.press("t")
        await pilot.pause()
        await choose(pilot, "next_day")
        await pilot.press("y")
        await pilot.pause()
        rows = await finish(pilot, app)
        assert {r.status for r in rows} == {"done"} and len(rows) == 2
        assert [n["template_id"] for n in world_case(world, "c-13")["notices"]] == ["next_day"]


async def test_take_over_the_coordinator_role(live_app):
    app, world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        await choose(pilot, "vc-kungsgatan")
        await choose(pilot, "s-5")
        rows = await finish(pilot, app)
        assert [r.status for r in rows] == ["done"]
        assert world.coordinators["vc-kungsgatan"]["staff_id"] == "s-5"
        assert live.store.coordinators()["vc-kungsgatan"].staff_id == "s-5"
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: "Eva Grön" in text_of(app.query_one("#coordinators")))


async def test_read_only_disables_every_write_in_one_place(live_app):
    app, world, live = live_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for action in ("assign", "move", "send_template", "coordinator_role"):
            assert app.check_action(action, ()) is None
        mark(app, "c-3")
        base = app.screen
        for key in ("a", "m", "t", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is base
        # even a direct call is refused
        app.action_assign()
        await pilot.pause()
        assert app.screen is base
        assert actions.outbox_rows(live.store) == []
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any("ej tillgängligt" in t for t in titles)


async def test_reveal_is_audited(live_app):
    app, _world, live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.query_one("#active", VirtualTable).move_to_key("c-1")
        await pilot.press("enter")
        await pilot.pause()
        assert "19800505-9001" not in text_of(app.screen.query_one("#detail-body"))
        await pilot.press("v")
        await pilot.pause()
        assert "19800505-9001" in text_of(app.screen.query_one("#detail-body"))
        (entry,) = actions.audit_entries(live.store)
        assert (entry.action, entry.subject) == ("reveal_pnr", {"case": "c-1"})


async def test_marks_hidden_by_the_filter_are_counted(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-3", "c-5")
        app.set_filter(app.filter.__class__(priorities=frozenset({"1"})))
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        await choose(pilot, "high_load")
        assert "1 markerade döljs av filtret" in text_of(app.screen.query_one("#preview-summary"))
