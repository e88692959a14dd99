"""Issue 11, the UI house: one translator per language, one key table feeding the bindings, the
command palette and the help screen, a ``[keys]`` keymap and a saved ``[ui] theme``, and the
screens talking to the app through messages instead of holding it."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input

import direkt_tui.ui
from direkt_tui import i18n
from direkt_tui.config import Config, ConfigError, load_config
from direkt_tui.ui import keys
from direkt_tui.ui.app import DirektApp
from direkt_tui.ui.commands import save_ui_theme, with_ui_theme
from direkt_tui.ui.screens import shiftwork
from direkt_tui.ui.screens.dialogs import PromptScreen
from direkt_tui.ui.screens.help import HelpScreen

from .conftest import SIZE, make_app, settle, text_of


# -- one translator -----------------------------------------------------------------------------
def test_one_translator_bound_once_per_language():
    en, sv = i18n.translator("en"), i18n.translator("sv")
    assert i18n.translator("en") is en and i18n.translator("sv") is sv
    assert en("cmd.quit") == "Quit" and sv("cmd.quit") == "Avsluta"
    assert en("cmd.panel", panel="X") == "Go to panel: X"


def test_no_lambda_translators_left_in_the_package():
    root = Path(direkt_tui.ui.__file__).parent.parent
    offenders = [str(p) for p in root.rglob("*.py") if "T = lambda" in p.read_text(encoding="utf-8")]
    assert offenders == []


# -- the key table ------------------------------------------------------------------------------
def test_the_bindings_come_from_the_table_each_with_an_id():
    bound = [k for k in keys.KEYS if k.bound]
    assert [b.id for b in DirektApp.BINDINGS] == [k.id for k in bound]
    assert all(b.id and b.id in keys.BY_ID for b in DirektApp.BINDINGS)
    assert len({k.id for k in keys.KEYS}) == len(keys.KEYS)
    for spec in keys.KEYS:  # every text the table names exists in both languages
        for key in (spec.label, spec.palette, spec.help):
            if key is not None:
                assert key in i18n.CATALOGUE, key


def test_help_lines_follow_the_live_keys():
    default = keys.help_lines("sv", keys.live_keys({}))
    assert "/: filter (fritext, regel:, prio:, enhet:, status:) · Esc: rensa filter" in default
    assert default[-1] == "q: avsluta · ?: den här hjälpen"
    rebound = keys.help_lines("en", keys.live_keys({"filter": "ctrl+f", "checklist_during": "f2"}))
    assert rebound[2].startswith("Ctrl+F: filter (free text")
    assert rebound[8].startswith("1 / F2 / 3: the checklists")


def test_key_labels():
    assert keys.key_label("ctrl+p") == "Ctrl+P"
    assert keys.key_label("shift+tab") == "Shift+Tab"
    assert keys.key_label("escape") == "Esc"
    assert keys.key_label("f5,f6") == "F5"
    assert keys.key_label("question_mark") == "?"


# -- [keys] and [ui] theme in the configuration ------------------------------------------------
def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_configuration_reads_keys_and_theme(tmp_path):
    cfg = load_config(write_config(tmp_path, '[ui]\ntheme = "nord"\n\n[keys]\nfilter = "ctrl+f"\n'))
    assert cfg.keys == {"filter": "ctrl+f"} and cfg.ui.theme == "nord"
    with pytest.raises(ConfigError, match=r"\[keys\]"):
        load_config(write_config(tmp_path, "[keys]\nfilter = 3\n"))


async def test_a_rebound_key_opens_its_action_and_the_old_one_does_not(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc, config=Config(keys={"filter": "f2"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input) is not None
        await pilot.press("escape")
        await pilot.pause()
        # the palette and the help show the key as it is now
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Filtrera ärenden"] == "F2"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = text_of(app.screen.query_one("#help Static"))
        assert "F2: filter (fritext" in shown and "/: filter" not in shown


async def test_the_palette_lists_every_table_row_in_order(scenario01_db):
    db, sc = scenario01_db
    app = make_app(db, sc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = [(c.title, c.help) for c in app.get_system_commands(app.screen)]
        ours = commands[: len(keys.PALETTE) - 1]  # no demo outside the demo
        assert ours[0] == ("Filtrera ärenden", "/")
        assert ("Checklista: Under dagen", "2") in ours
        assert ("Gå till panel: Belastning", "Tab") in ours
        # the table's order, with the commands unavailable here (writes are off without a
        # platform) after the others
        quit_at = ours.index(("Avsluta", "q"))
        assert all("ej tillgängligt" in (h or "") for _t, h in ours[quit_at + 1 :])
        assert not any("ej tillgängligt" in (h or "") for _t, h in ours[:quit_at])
        assert not any(t.startswith("Demo:") for t, _ in commands)


def test_with_ui_theme_keeps_the_rest_of_the_file():
    text = '# mine\n[api]\nbase_url = "x"  # note\n\n[ui]\nlang = "en"\n\n[user]\nname = "A"\n'
    new = with_ui_theme(text, "nord")
    assert new.startswith('# mine\n[api]\nbase_url = "x"  # note\n\n[ui]\ntheme = "nord"\nlang = "en"\n')
    again = with_ui_theme(new, "gruvbox")
    assert tomllib.loads(again)["ui"] == {"theme": "gruvbox", "lang": "en"}
    assert again.count("theme =") == 1
    assert tomllib.loads(with_ui_theme("[api]\n", "nord"))["ui"]["theme"] == "nord"


def test_save_ui_theme_keeps_the_mode(tmp_path):
    path = write_config(tmp_path, '[ui]\nlang = "sv"\n')
    path.chmod(0o600)
    save_ui_theme(path, "nord")
    assert load_config(path).ui.theme == "nord"
    assert path.stat().st_mode & 0o777 == 0o600


async def test_the_theme_comes_from_the_configuration_and_a_new_one_is_saved(scenario01_db, tmp_path):
    db, sc = scenario01_db
    path = write_config(tmp_path, '# the coordinator\'s\n[ui]\ntheme = "nord"\nbell = false\n')
    app = make_app(db, sc, config=load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        assert path.read_text(encoding="utf-8").count("nord") == 1  # starting is not choosing
        app.theme = "gruvbox"
        await pilot.pause()
        await app.workers.wait_for_complete()
        cfg = load_config(path)
        assert cfg.ui.theme == "gruvbox" and cfg.ui.bell is False
        assert path.read_text(encoding="utf-8").startswith("# the coordinator's\n")


# -- the split ---------------------------------------------------------------------------------
def test_the_shift_screens_do_not_hold_the_app():
    source = inspect.getsource(shiftwork)
    assert "DirektApp" not in source and "..app" not in source
    params = inspect.signature(shiftwork.ChecklistScreen).parameters
    assert list(params) == ["kind", "lang", "board", "sign_off", "signed", "cosmic"]


def test_no_ui_module_over_600_lines():
    root = Path(direkt_tui.ui.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in root.rglob("*.py")}
    assert max(sizes.values()) <= 600, sizes


async def test_unavailable_commands_come_last_with_the_reason_in_their_help(scenario01_db):
    """Issue 12, item 24: while writes are off, a search for a word of the reason ("drift",
    "skrivskyddad") does not find a disabled command first: the reason is in the help, and the
    disabled commands are listed after the others."""
    from ui.conftest import make_app, settle

    db, sc = scenario01_db
    app = make_app(db, sc, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cmds = list(app.get_system_commands(app.screen))
        why = app.writes_denied()
        assert why
        disabled = [i for i, c in enumerate(cmds) if why in (c.help or "")]
        enabled = [i for i, c in enumerate(cmds) if why not in (c.help or "")]
        assert disabled and all(why not in c.title for c in cmds)
        own = [i for i in enabled if i < min(disabled)]
        assert own and max(own) < min(disabled)  # ours first, the disabled after them
