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
        assert await wait_for(pilot, lambda: "klara: 1 · konflikter: 1" in text_of(summary))
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
        assert isinstance(app.screen, PreviewScreen)  # previewed, nothing written yet
        assert world.coordinators["vc-kungsgatan"]["staff_id"] == "s-1"
        await pilot.press("y")
        await pilot.pause()
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
        helps = [c.help or "" for c in app.get_system_commands(app.screen)]
        assert any("ej tillgängligt" in h for h in helps)  # the palette says why (in the help)


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
        assert "1 av de markerade döljs av filtret" in text_of(app.screen.query_one("#preview-summary"))


# -- keys that cannot act say why; the footer shows them disabled (issue 12 item 8) -------------
def footer_keys(screen) -> dict[str, bool]:
    """The footer's keys on ``screen``: key → disabled."""
    from textual.widgets._footer import FooterKey

    return {fk.key: fk.has_class("-disabled") for fk in screen.query(FooterKey)}


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_write_keys_say_why_they_do_nothing_read_only(live_app):
    app, _world, live = live_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert await wait_for(pilot, lambda: footer_keys(app.screen).get("a") is True)  # shown, disabled
        mark(app, "c-3")
        for key in ("a", "m", "t", "c"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
            assert notices(app) == ["Skrivåtgärder är avstängda (skrivskyddat läge)."], key
        # a key that is not a write says nothing
        app.clear_notifications()
        await pilot.press("o")
        await pilot.pause()
        assert not any("avstängda" in n for n in notices(app))
        assert actions.outbox_rows(live.store) == []


async def test_write_keys_say_why_while_looking_back(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert footer_keys(app.screen).get("a") is False
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.view_at is not None
        assert await wait_for(pilot, lambda: footer_keys(app.screen).get("a") is True)
        app.clear_notifications()
        await pilot.press("a")
        await pilot.pause()
        assert notices(app) == ["Skrivåtgärder är avstängda (tillbakablick)."]
        # back to now: the key works again (the target list opens)
        await pilot.press("backspace")
        await settle(pilot)
        assert await wait_for(pilot, lambda: footer_keys(app.screen).get("a") is False)
        app.query_one("#active", VirtualTable).focus()
        await pilot.press("a")
        await pilot.pause()
        from direkt_tui.ui.screens.actions import ChoiceScreen

        assert isinstance(app.screen, ChoiceScreen)


async def test_write_keys_say_why_in_an_outage_in_english(live_app):
    app, _world, _live = live_app(lang="en")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.outage = True  # the state outage mode sets (sync tests drive the real transition)
        app.refresh_bindings()
        assert await wait_for(pilot, lambda: footer_keys(app.screen).get("a") is True)
        app.clear_notifications()
        await pilot.press("c")
        await pilot.pause()
        assert notices(app) == ["Write actions are off (outage)."]


async def test_preview_footer_shows_f_when_it_is_what_confirms(live_app):
    app, _world, _live = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        mark(app, "c-4")
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "force:psychologist")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.needs_force
        assert await wait_for(pilot, lambda: footer_keys(preview).get("f") is False)  # shown, enabled
        assert footer_keys(preview).get("y") is True  # shown disabled
        app.clear_notifications()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is preview
        assert any("Tryck f" in n for n in notices(app))
        # Enter (the list's key) says the same, and does not confirm either
        app.clear_notifications()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is preview and any("Tryck f" in n for n in notices(app))
        await pilot.press("escape")
        await pilot.pause()
        # a plain preview: y confirms, f is not offered
        mark(app, "c-3")
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "role:nurse")
        plain = app.screen
        assert isinstance(plain, PreviewScreen) and not plain.needs_force
        assert await wait_for(pilot, lambda: footer_keys(plain).get("y") is False)
        assert "f" not in footer_keys(plain)


# -- reassigning cases from several units (issue 12 item 9) -------------------------------------
def _two_units(world, live) -> None:
    """c-6 (waiting, P5) moved to Ryd, where only a nurse (Rut Sjö) is at work; c-5 stays in
    Kungsgatan, where a doctor is."""
    world.move("c-6", {"to_unit_id": "vc-ryd", "if_version": world_case(world, "c-6")["version"]})
    live.scheduler.engine.sync_all()


def _options(app) -> dict[str, str]:
    from textual.widgets import OptionList

    ol = app.screen.query_one(OptionList)
    return {str(o.id): str(o.prompt) for o in (ol.get_option_at_index(i) for i in range(ol.option_count))}


async def test_targets_flag_the_units_where_a_profession_is_not_scheduled(live_app):
    app, world, live = live_app()
    _two_units(world, live)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mark(app, "c-5", "c-6")
        await pilot.press("a")
        await pilot.pause()
        opts = _options(app)
        # nurse: scheduled in both, no flag
        assert "⚠" not in opts["role:nurse"] and "VC Kungsgatan, VC Ryd" in opts["role:nurse"]
        # doctor: only in Kungsgatan, flagged with Ryd; plainly or with the override
        assert opts["role:doctor"].startswith("⚠") and "inte på VC Ryd" in opts["role:doctor"]
        assert "force:doctor" in opts and "VC Ryd" in opts["force:doctor"]
        # nowhere: only with the override
        assert "role:psychologist" not in opts and opts["force:psychologist"].startswith("⚠")
        # order: everywhere, partly, the people, nowhere
        ids = list(opts)
        assert ids.index("role:nurse") < ids.index("role:doctor") < ids.index("force:psychologist")


async def test_preview_shows_per_case_where_it_lands_unscheduled(live_app):
    app, world, live = live_app()
    _two_units(world, live)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        mark(app, "c-5", "c-6")
        # plainly: the Ryd case is skipped, naming Ryd; y confirms the rest
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "role:doctor")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and not preview.needs_force
        cells = {r.key: " ".join(str(c) for c in r.cells) for r in preview.content.rows}
        assert "→ kö läkare" in cells["c-5"] and "ej schemalagd" not in cells["c-5"]
        assert "hoppas över: läkare är inte schemalagd på VC Ryd" in cells["c-6"]
        await pilot.press("escape")
        await pilot.pause()
        # with the override: the Ryd case lands there unscheduled, said per case; only f confirms
        await pilot.press("a")
        await pilot.pause()
        await choose(pilot, "force:doctor")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.needs_force
        cells = {r.key: " ".join(str(c) for c in r.cells) for r in preview.content.rows}
        assert "ej schemalagd" not in cells["c-5"]
        assert "→ kö läkare – ej schemalagd på VC Ryd!" in cells["c-6"]
        hint = text_of(preview.query_one("#preview-hint"))
        assert "1 av ärendena" in hint and "Vårdcentralen Ryd" in hint
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is preview
        await pilot.press("f")
        await pilot.pause()
        rows = await finish(pilot, app)
        assert {r.case_id: r.status for r in rows} == {"c-5": "done", "c-6": "done"}
        assert world_case(world, "c-6")["owner"] == {"type": "role", "profession": "doctor"}


async def test_the_send_preview_shows_the_whole_template_text(live_app):
    """Issue 12, item 19: the patient-facing text is shown whole (wrapped) before it is sent."""
    from textual.widgets import Label

    app, world, _live = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        mark(app, "c-13")
        await pilot.press("t")
        await pilot.pause()
        await choose(pilot, "next_day")
        assert isinstance(app.screen, PreviewScreen)
        full = next(t["text"] for t in world.templates if t["id"] == "next_day")
        notes = [str(lbl.render()) for lbl in app.screen.query(Label) if "dialog-template" in lbl.classes]
        assert len(notes) == 1 and notes[0] == f"Patienten får läsa:\n{full}" and len(full) > 60
        await pilot.press("escape")
