"""The key table: every key of the main screen once, as data.

One row per key (or per documented widget key): it feeds ``DirektApp.BINDINGS`` (each binding
with its ``id``, so ``[keys]`` in the configuration can rebind it through ``App.set_keymap``),
the command palette (``get_system_commands``) and the help screen, which is built from the
live keys (after the keymap), as darrenburns/posting does. Nothing else spells a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

from .. import i18n


@dataclass(frozen=True)
class KeySpec:
    """One key of the main screen.

    ``key``: Textual key string(s), comma separated. ``action``: the app action it runs ("" for
    a row that only documents a key of the tables). ``label``: catalogue key of the footer
    description. ``palette``: catalogue key of the command palette title. ``group``/``help``:
    the help screen's line and the catalogue key of the text after the key. ``bound``: False
    when the key belongs to a widget (the tables' marks, the cursor) and the app binds nothing.
    """

    id: str
    key: str
    action: str = ""
    label: str | None = None
    show: bool = False
    palette: str | None = None
    group: str | None = None
    help: str | None = None
    key_display: str | None = None
    bound: bool = True
    writes: bool = False
    demo: bool = False

    def binding(self, lang: str = "sv") -> Binding:
        description = i18n.t(self.label, lang) if self.label else ""
        return Binding(self.key, self.action, description, show=self.show, key_display=self.key_display, id=self.id)


KEYS: tuple[KeySpec, ...] = (
    KeySpec("quit", "q", "quit", "key.quit", True, "cmd.quit", "quit", "help.k.quit"),
    KeySpec("help", "question_mark", "help", "key.help", True, "cmd.help", "quit", "help.k.help", key_display="?"),
    KeySpec("filter", "slash", "filter", "key.filter", True, "cmd.filter", "filter", "help.k.filter", key_display="/"),
    KeySpec("date", "d", "date_filter", "key.date", False, "cmd.date", "date", "help.k.date"),
    KeySpec("unit", "u", "choose_unit", "key.unit", True, "cmd.unit", "unit", "help.k.unit"),
    KeySpec("sync", "r", "sync_now", "key.sync", True, "cmd.sync", "sync", "help.k.sync"),
    KeySpec(
        "clear", "escape", "clear_filter", "key.clear", False, "cmd.clear", "filter", "help.k.clear", key_display="Esc"
    ),
    KeySpec("assign", "a", "assign", "key.assign", True, "cmd.assign", "actions", "help.k.assign", writes=True),
    KeySpec("move", "m", "move", "key.move", False, "cmd.move", "actions", "help.k.move", writes=True),
    KeySpec(
        "template",
        "t",
        "send_template",
        "key.template",
        False,
        "cmd.template",
        "actions",
        "help.k.template",
        writes=True,
    ),
    KeySpec(
        "coordinator",
        "c",
        "coordinator_role",
        "key.coordinator",
        False,
        "cmd.coordinator",
        "actions",
        "help.k.coordinator",
        writes=True,
    ),
    KeySpec("outbox", "o", "outbox", "key.outbox", False, "cmd.outbox", "actions", "help.k.outbox"),
    KeySpec(
        "checklist_start",
        "1",
        "checklist('start')",
        "key.checklist_start",
        False,
        "cmd.checklist",
        "shift",
        "help.k.checklists",
    ),
    KeySpec(
        "checklist_during",
        "2",
        "checklist('during')",
        "key.checklist_during",
        False,
        "cmd.checklist",
        "shift",
        "help.k.checklists",
    ),
    KeySpec(
        "checklist_end",
        "3",
        "checklist('end')",
        "key.checklist_end",
        False,
        "cmd.checklist",
        "shift",
        "help.k.checklists",
    ),
    KeySpec("report", "p", "shift_report", "key.report", False, "cmd.report", "shift", "help.k.report"),
    KeySpec("roster", "b", "roster", "key.roster", False, "cmd.roster", "shift", "help.k.roster"),
    KeySpec("alerts", "A", "alerts", "key.alerts", False, "cmd.alerts", "sync", "help.k.alerts"),
    KeySpec("fallback", "F", "fallback", "key.fallback", True, "cmd.fallback", "shift", "help.k.fallback"),
    KeySpec(
        "back",
        "left_square_bracket",
        "look_back",
        "key.back",
        False,
        "cmd.back",
        "shift",
        "help.k.look",
        key_display="[",
    ),
    KeySpec(
        "forward",
        "right_square_bracket",
        "look_forward",
        "key.forward",
        False,
        "cmd.forward",
        "shift",
        "help.k.look",
        key_display="]",
    ),
    KeySpec(
        "now", "backspace", "look_now", "key.now", False, "cmd.now", "shift", "help.k.now", key_display="Backspace"
    ),
    KeySpec(
        "next_panel", "tab", "focus_next", "key.next_panel", False, None, "nav", "help.k.panels", key_display="Tab"
    ),
    KeySpec(
        "previous_panel",
        "shift+tab",
        "focus_previous",
        "key.prev_panel",
        False,
        None,
        "nav",
        "help.k.panels",
        key_display="Shift+Tab",
    ),
    # the tables' own keys: documented and offered here, bound by the widget
    KeySpec("cursor", "", group="nav", help="help.k.cursor", bound=False),
    KeySpec("detail", "enter", group="enter", help="help.k.detail", key_display="Enter", bound=False),
    KeySpec("load_detail", "enter", group="enter", help="help.k.load_detail", key_display="Enter", bound=False),
    KeySpec("mark", "", group="marks", help="help.k.mark", bound=False),
    KeySpec(
        "mark_all",
        "asterisk",
        "mark_all",
        palette="cmd.mark_all",
        group="marks",
        help="help.k.mark_all",
        key_display="*",
        bound=False,
    ),
    KeySpec(
        "clear_marks",
        "escape",
        "clear_filter",
        palette="cmd.clear_marks",
        group="marks",
        help="help.k.clear_marks",
        key_display="Esc",
        bound=False,
    ),
    KeySpec(
        "palette",
        "ctrl+p",
        "command_palette",
        group="palette",
        help="help.k.palette",
        key_display="Ctrl+P",
        bound=False,
    ),
    *(
        KeySpec(f"panel_{pid}", "tab", f"focus_panel('{pid}')", palette="cmd.panel", key_display="Tab", bound=False)
        for pid in ("active", "absent", "roles", "overdue", "load")
    ),
    KeySpec("demo_outage", "", "demo_outage", palette="cmd.demo_outage", key_display="demo", bound=False, demo=True),
)

BY_ID: Mapping[str, KeySpec] = {k.id: k for k in KEYS}

# the command palette's order (every action; the quit command last)
PALETTE: tuple[str, ...] = (
    "filter", "date", "clear", "unit", "sync", "help", "assign", "move", "template", "coordinator", "mark_all",
    "clear_marks", "outbox", "checklist_start", "checklist_during", "checklist_end", "report", "roster", "alerts",
    "fallback", "back",
    "forward", "now", "panel_active", "panel_absent", "panel_roles", "panel_overdue", "panel_load", "demo_outage",
    "quit",
)  # fmt: skip

# the help screen's lines, top to bottom
HELP_GROUPS: tuple[str, ...] = (
    "nav", "enter", "filter", "date", "unit", "sync", "marks", "actions", "shift", "palette", "quit",
)  # fmt: skip

_NAMES = {
    "escape": "Esc", "question_mark": "?", "slash": "/", "asterisk": "*", "left_square_bracket": "[",
    "right_square_bracket": "]", "backspace": "Backspace", "tab": "Tab", "enter": "Enter", "space": "Space",
    "delete": "Del", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
}  # fmt: skip


def bindings(lang: str = "sv") -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The app's ``BINDINGS``: every bound row of the table."""
    return [k.binding(lang) for k in KEYS if k.bound]


def key_label(key: str) -> str:
    """A key string as people write it: ``ctrl+p`` → ``Ctrl+P``, ``escape`` → ``Esc``; the first
    of several keys."""
    first = key.split(",")[0].strip()
    *mods, base = first.split("+") if first != "+" else ["+"]
    upper = (mods and len(base) == 1) or (base[:1] == "f" and base[1:].isdigit())  # Ctrl+P, F2
    name = _NAMES.get(base, base.upper() if upper else base)
    return "+".join([m.capitalize() for m in mods] + [name])


def live_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Each row's key as shown, after the configured keymap (id → key string)."""
    out = {}
    for k in KEYS:
        rebound = keymap.get(k.id) if k.bound else None
        if rebound:
            out[k.id] = key_label(rebound)
        elif k.key_display is not None or k.key:
            out[k.id] = k.key_display if k.key_display is not None else key_label(k.key)
        else:
            out[k.id] = ""
    return out


def help_lines(lang: str, shown: Mapping[str, str]) -> list[str]:
    """The help screen's key lines from the live keys (``live_keys``): rows of one group and
    one text share a part (``1 / 2 / 3: …``); rows without a key carry it in their text."""
    T = i18n.translator(lang)
    lines = []
    for group in HELP_GROUPS:
        parts: list[tuple[list[str], str]] = []
        for k in KEYS:
            if k.group != group or k.help is None:
                continue
            display = shown.get(k.id, "")
            if parts and parts[-1][1] == k.help and display:
                parts[-1][0].append(display)
            else:
                parts.append(([display] if display else [], k.help))
        lines.append(" · ".join(f"{' / '.join(keys)}: {T(text)}" if keys else T(text) for keys, text in parts))
    return lines


def palette_rows(demo: bool) -> Iterable[KeySpec]:
    """The command palette's rows, in order (the demo's own only in the demo)."""
    for kid in PALETTE:
        k = BY_ID[kid]
        if not k.demo or demo:
            yield k
