"""Language: ``--lang en`` shows English on every screen's footer and in the keys of its
tables; the Swedish screens show no English words; Swedish singular and plural."""

from __future__ import annotations

import re

import pytest
from textual.widgets._footer import FooterKey
from ui.conftest import SIZE, choose, live_app, make_app, scenario01_db, settle  # noqa: F401 (fixtures)

from direkt_tui import i18n
from direkt_tui.ui.screens.actions import ChoiceScreen, OutcomeScreen, PreviewScreen
from direkt_tui.ui.screens.detail import CaseDetailScreen
from direkt_tui.ui.screens.dialogs import PromptScreen, UnitPicker
from direkt_tui.ui.screens.help import HelpScreen
from direkt_tui.ui.screens.shiftwork import ChecklistScreen, FallbackScreen, ReportScreen
from direkt_tui.ui.widgets.table import VirtualTable

# Swedish words (a text that differs between the languages) that must never reach an English screen
SWEDISH = {sv for sv, en in i18n.CATALOGUE.values() if sv != en}
SWEDISH_LETTERS = re.compile("[åäöÅÄÖ]")
# English words that must never reach a Swedish screen's footer (Textual's own ones among them)
ENGLISH = {"Close", "Cancel", "Confirm", "Reveal", "Sign", "Acknowledge", "Called", "palette", "Quit", "Help"}


def footer_texts(app) -> list[str]:
    """What the footer shows, and every description of the screen's and its tables' keys
    (the table keys appear in Textual's key panel)."""
    screen = app.screen
    # the app's Ctrl+P binding: test_the_palette_speaks_swedish
    texts = [fk.description for fk in screen.query(FooterKey) if fk.action != "command_palette"]
    texts += [b.description for _, b in screen._bindings]
    for table in screen.query(VirtualTable):
        texts += [b.description for _, b in table._bindings]
    return [t for t in texts if t]


def assert_english(app, where: str) -> None:
    texts = footer_texts(app)
    assert texts, where
    swedish = [t for t in texts if t in SWEDISH or SWEDISH_LETTERS.search(t)]
    assert swedish == [], (where, swedish)


def assert_swedish(app, where: str) -> None:
    texts = footer_texts(app)
    english = [t for t in texts if set(t.split()) & ENGLISH]
    assert english == [], (where, english)


async def open_and_check(pilot, app, check) -> None:
    """Every screen the keys open, each checked by ``check(app, name)``."""
    await settle(pilot)
    check(app, "main")
    for keys, kind in (
        (("question_mark",), HelpScreen),
        (("enter",), CaseDetailScreen),
        (("slash",), PromptScreen),
        (("u",), UnitPicker),
        (("1",), ChecklistScreen),
        (("F",), FallbackScreen),
        (("o",), OutcomeScreen),
    ):
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, kind), (keys, app.screen)
        check(app, kind.__name__)
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("3", "p")  # the shift report from the end checklist
    await settle(pilot)
    assert isinstance(app.screen, ReportScreen), app.screen
    check(app, "ReportScreen")
    await pilot.press("escape", "escape")
    await pilot.pause()
    app.marks.update({"c-3"})
    app._marks_changed()
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, ChoiceScreen)
    check(app, "ChoiceScreen")
    await choose(pilot, "role:nurse")
    assert isinstance(app.screen, PreviewScreen)
    check(app, "PreviewScreen")


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_every_screen_footer_speaks_the_language(live_app, lang):  # noqa: F811
    app, _world, _live = live_app(lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await open_and_check(pilot, app, assert_english if lang == "en" else assert_swedish)


async def test_english_footers_name_the_keys_in_english(scenario01_db):  # noqa: F811
    db, sc = scenario01_db
    app = make_app(db, sc, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        shown = {fk.description for fk in app.screen.query(FooterKey)}
        assert {"Close", "Acknowledge", "Sign off", "Shift report"} <= shown
        await pilot.press("escape", "F")
        await pilot.pause()
        assert {"Close", "Called"} <= {fk.description for fk in app.screen.query(FooterKey)}


async def test_two_apps_in_two_languages_do_not_share_footers(scenario01_db):  # noqa: F811
    """The screens' bindings are translated per instance: the class keeps the catalogue keys."""
    db, sc = scenario01_db
    for lang, word in (("en", "Close"), ("sv", "Stäng"), ("en", "Close")):
        app = make_app(db, sc, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert word in {fk.description for fk in app.screen.query(FooterKey)}


async def test_the_palette_speaks_swedish(scenario01_db):  # noqa: F811
    from textual.command import CommandInput

    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        (palette,) = [fk for fk in app.screen.query(FooterKey) if fk.action == "command_palette"]
        assert palette.description == "kommandon"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.query_one(CommandInput).placeholder == "Sök kommando …"


# -- Swedish singular and plural, durations, wording (issue 12 items 15, 16) ----------------------
@pytest.mark.parametrize(
    "key, one, many",
    [
        ("hdr.marked", "1 markerad", "2 markerade"),
        ("audit.list.count", "1 post.", "2 poster."),
        ("audit.verify.ok", "Granskningsloggen är hel (1 post).", "Granskningsloggen är hel (2 poster)."),
        ("outcome.queued", "1 skrivning köad", "2 skrivningar köade"),
        ("act.assign.title", "Lägg över 1 ärende till …", "Lägg över 2 ärenden till …"),
    ],
)
def test_singular_and_plural(key, one, many):
    assert i18n.t(key, n=1) == one and i18n.t(key, n=2) == many


def test_counts_of_several_things_read_right_for_one():
    assert i18n.t("preview.summary", n=1, ok=1, skip=0, hidden=1).startswith("1 vald · 1 ändras")
    assert "1 av de markerade döljs" in i18n.t("preview.summary", n=1, ok=1, skip=0, hidden=1)
    assert i18n.t("outcome.summary", done=1, conflict=1, failed=0, waiting=0) == (
        "klara: 1 · konflikter: 1 · misslyckade: 0 · väntar: 0"
    )
    assert "kvitterade: 1" in i18n.t("checklist.summary", open=1, total=5, ack=1)


def test_durations_are_hours_and_minutes():
    from direkt_tui.domain.rules import render_message

    assert render_message("msg.overdue_waiting", {"minutes": 1530, "limit": 60, "prio": 2}) == (
        "Har väntat 25 h 30 min arbetstid (gräns 1 h för P2) – ta emot nu."
    )
    assert render_message("msg.awaiting_reply", {"minutes": 1670, "limit": 240}, "en") == (
        "The patient has awaited a reply for 27 h 50 min of working time (limit 4 h) – reply."
    )
    assert [i18n.duration_hm(m) for m in (0, 45, 60, 61, 1530)] == [
        "0 min",
        "45 min",
        "1 h",
        "1 h 1 min",
        "25 h 30 min",
    ]
    assert i18n.duration_hm("20,0") == "20 min"  # a value already written out by the rule engine


def test_words_nurses_use():
    assert [i18n.profession_short(p) for p in ("nurse", "assistant_nurse", "doctor")] == ["ssk", "usk", "läk"]
    assert i18n.t("fallback.col.called") == "Uppringd" and i18n.t("bind.called") == "Uppringd"
    assert i18n.t("badge.unit_handover_unaccepted") == "Ej accepterad"


def test_sync_errors_in_swedish_keep_the_http_facts():
    msg = "GET /capabilities: HTTP 503, retry after 5 s (Service down) (gave up after 2 attempts)"
    assert i18n.sync_error_text(msg) == (
        "GET /capabilities: HTTP 503, försök igen om 5 s (Service down) (gav upp efter 2 försök)"
    )
    assert i18n.sync_error_text("GET /cases: no complete answer within the 10 s deadline") == (
        "GET /cases: inget fullständigt svar inom tidsgränsen 10 s"
    )
    assert i18n.sync_error_text(msg, "en") == msg
